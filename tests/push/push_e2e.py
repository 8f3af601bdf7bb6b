#!/usr/bin/python3
"""End-to-end tests of push (issue 26 §5) over real HTTP: `kalends serve` with
[push] allow-http, and a push service of our own on 127.0.0.1 that records
every message, decrypts it (RFC 8291, with the subscription's private key and
auth secret) and checks the VAPID token (RFC 8292) against the server's key.

- a user subscribes through the JSON API; a "webpush" job (as the reminder
  index queues them) reaches the receiver once, decrypted to its payload;
- a push service answering 410 gets the subscription removed;
- a WebDAV-Push registration on a calendar gets a push message naming the
  calendar's topic and new sync-token when an event is PUT into it, and none
  after the registration is deleted.

Environment: KALENDS_BIN. Prints `ok NAME` / `FAIL NAME: why`, then the
summary lines scripts/summarize-tests.py counts; exits 1 when a case failed."""
import base64
import calendar
import hashlib
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import xml.etree.ElementTree as ET

from jsonschema import Draft202012Validator, RefResolver
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BIN = os.environ.get("KALENDS_BIN", "")
SOURCE = os.environ.get("KALENDS_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = json.load(open(os.path.join(SOURCE, "docs", "openapi.json"), encoding="utf-8"))
PASSWORD = {"alice": "alice-secret-1", "bob": "bob-secret-2"}
PUSH_NS = "https://bitfire.at/webdav-push"
NS = {"d": "DAV:", "p": PUSH_NS}
state = {}


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")


def check(cond, message):
    if not cond:
        raise AssertionError(message)

# ---------------------------------------------------------------- the push service


class Receiver:
    """A push service on 127.0.0.1: POST /NAME is recorded and answered with
    the status set for NAME (201 unless told)."""

    def __init__(self):
        self.messages = []
        self.status = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                name = self.path.lstrip("/")
                with receiver.lock:
                    # "peer": the sender's port, the same for messages on one kept-alive connection.
                    receiver.messages.append({"name": name, "headers": dict(self.headers.items()), "body": body,
                                              "at": time.time(), "peer": self.client_address[1]})
                    status = receiver.status.get(name, 201)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        Handler.protocol_version = "HTTP/1.1"  # keep-alive, as push services offer it

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"

    def received(self, name):
        with self.lock:
            return [m for m in self.messages if m["name"] == name]

    def wait(self, name, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.received(name)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"the push service got {len(self.received(name))} messages for {name}, wanted {count}")


class UserAgent:
    """A subscriber's keys (RFC 8291 §2): a P-256 pair and an auth secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                         serialization.PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)

    def keys(self):
        return {"p256dh": b64u(self.public), "auth": b64u(self.auth)}

    def decrypt(self, body):
        """The plaintext of an aes128gcm body (RFC 8188 §2, RFC 8291 §3.4)."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        as_public = body[21:21 + idlen]
        record = body[21 + idlen:]
        check(len(record) <= rs, f"one record of at most rs={rs} bytes, got {len(record)}")
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
        secret = self.key.exchange(ec.ECDH(), peer)
        info = b"WebPush: info\x00" + self.public + as_public
        ikm = HKDF(hashes.SHA256(), 32, self.auth, info).derive(secret)
        cek = HKDF(hashes.SHA256(), 16, salt, b"Content-Encoding: aes128gcm\x00").derive(ikm)
        nonce = HKDF(hashes.SHA256(), 12, salt, b"Content-Encoding: nonce\x00").derive(ikm)
        padded = AESGCM(cek).decrypt(nonce, record, None)
        stripped = padded.rstrip(b"\x00")
        eq(stripped[-1:], b"\x02", "the last record's delimiter")
        return stripped[:-1]


def check_vapid(headers, audience):
    """The Authorization header is a VAPID token for `audience` signed with
    the server's key (RFC 8292 §2, §3)."""
    m = re.fullmatch(r"vapid t=([A-Za-z0-9_\-.]+), k=([A-Za-z0-9_\-]+)", headers.get("Authorization", ""))
    check(m, f"Authorization is not 'vapid t=..., k=...': {headers.get('Authorization')!r}")
    token, key = m.group(1), m.group(2)
    eq(key, state["vapid"], "the k= of the VAPID header")
    header, claims, signature = token.split(".")
    eq(json.loads(unb64u(header)), {"typ": "JWT", "alg": "ES256"}, "JWT header")
    raw = unb64u(signature)
    eq(len(raw), 64, "ES256 signature length")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when wrong
    body = json.loads(unb64u(claims))
    eq(body["aud"], audience, "JWT aud")
    check(time.time() < body["exp"] <= time.time() + 24 * 3600, f"JWT exp within a day: {body['exp']}")
    eq(body["sub"], "mailto:ops@example.org", "JWT sub")

# ---------------------------------------------------------------- HTTP to the server


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return ", ".join(v for k, v in self.headers if k.lower() == name.lower())

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"{self.status} {self.body[:400]!r}"


def request(method, path, body=None, user="alice", headers=None, port=None):
    hdrs = {}
    if user:
        hdrs["Authorization"] = "Basic " + base64.b64encode(f"{user}:{PASSWORD[user]}".encode()).decode()
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        hdrs["Content-Type"] = "application/json"
    if isinstance(body, str):
        body = body.encode()
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port or state["port"], timeout=30)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def documented(resp, schema):
    """Raises when a JSON answer does not match components/schemas/SCHEMA of docs/openapi.json."""
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema}"}, resolver=RefResolver.from_schema(DOC))
    errors = list(validator.iter_errors(resp.json))
    check(not errors, f"answer not as docs/openapi.json's {schema} says: {errors[0].message if errors else ''}")


def api(method, path, body=None, user="alice", expect=None):
    resp = request(method, "/api/v1" + path, body, user)
    schema = {("GET", "/push/vapid-public-key", 200): "VapidKey", ("GET", "/push/subscriptions", 200):
              "PushSubscriptionList", ("POST", "/push/subscriptions", 201): "PushSubscription"}.get(
                  (method, path, resp.status))
    if schema:
        documented(resp, schema)
    if expect is not None and resp.status != expect:
        raise AssertionError(f"{method} /api/v1{path}: expected {expect}, got {resp!r}")
    return resp


def problem(resp, status, field=None):
    eq(resp.status, status, f"status of {resp!r}")
    eq(resp.header("Content-Type").split(";")[0], "application/problem+json", "problem Content-Type")
    if field is not None:
        eq(resp.json.get("field"), field, "problem field")


def subscribe(name, agent, user="alice"):
    r = api("POST", "/push/subscriptions", {"endpoint": state["rx"].url(name), "keys": agent.keys()}, user, 201)
    return r.json["id"]


def queue_webpush(owner, payload):
    """Queues a "webpush" job as the reminder index does (the server's own
    database, WAL: a second writer waits its turn)."""
    db = sqlite3.connect(os.path.join(state["data"], "kalends.sqlite3"), timeout=10)
    try:
        with db:
            owner_id = db.execute("SELECT id FROM principals WHERE name = ?", (owner,)).fetchone()[0]
            now = int(time.time())
            db.execute("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at) VALUES (?, 'webpush', ?, ?, ?)",
                       (owner_id, json.dumps(payload), now, now))
    finally:
        db.close()


def push_register(path, endpoint, agent, trigger="<P:content-update><D:depth>1</D:depth></P:content-update>",
                  user="alice"):
    body = (f'<?xml version="1.0" encoding="utf-8"?><P:push-register xmlns:P="{PUSH_NS}" xmlns:D="DAV:">'
            "<P:subscription><P:web-push-subscription>"
            f"<P:push-resource>{endpoint}</P:push-resource><P:content-encoding>aes128gcm</P:content-encoding>"
            f'<P:subscription-public-key type="p256dh">{b64u(agent.public)}</P:subscription-public-key>'
            f"<P:auth-secret>{b64u(agent.auth)}</P:auth-secret>"
            f"</P:web-push-subscription></P:subscription><P:trigger>{trigger}</P:trigger>"
            "<P:expires>Wed, 20 Dec 2034 10:03:31 GMT</P:expires></P:push-register>")
    return request("POST", path, body, user, {"Content-Type": "application/xml; charset=utf-8"})


def put_event(uid, calendar="/dav/calendars/alice/calendar/"):
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//push e2e//EN\r\nBEGIN:VEVENT\r\n"
           f"UID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\n"
           "SUMMARY:Push me\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    r = request("PUT", f"{calendar}{uid}.ics", ics, headers={"Content-Type": "text/calendar"})
    check(r.status in (201, 204), f"PUT {uid}: {r!r}")

# ---------------------------------------------------------------- cases


def the_vapid_key_is_served_and_kept_in_the_data_directory():
    r = api("GET", "/push/vapid-public-key", expect=200)
    key = r.json["key"]
    eq(key, state["vapid"], "the key served now and at setup")
    pem = open(os.path.join(state["data"], "vapid-key.pem"), "rb").read()
    private = serialization.load_pem_private_key(pem, None)
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    eq(b64u(public), key, "the public half of DATA/vapid-key.pem")
    eq(oct(os.stat(os.path.join(state["data"], "vapid-key.pem")).st_mode & 0o077), "0o0", "group/other mode bits")
    problem(api("GET", "/push/vapid-public-key", user=None), 401)


def bad_subscriptions_are_refused_naming_the_field():
    good = UserAgent().keys()
    problem(api("POST", "/push/subscriptions", {"keys": good}), 422, "endpoint")
    problem(api("POST", "/push/subscriptions", {"endpoint": "ftp://127.0.0.1/x", "keys": good}), 422, "endpoint")
    problem(api("POST", "/push/subscriptions", {"endpoint": state["rx"].url("x")}), 422, "keys")
    bad_point = dict(good, p256dh=b64u(b"\x05" + os.urandom(64)))
    problem(api("POST", "/push/subscriptions", {"endpoint": state["rx"].url("x"), "keys": bad_point}), 422,
            "keys.p256dh")
    short_auth = dict(good, auth=b64u(os.urandom(8)))
    problem(api("POST", "/push/subscriptions", {"endpoint": state["rx"].url("x"), "keys": short_auth}), 422,
            "keys.auth")
    problem(api("POST", "/push/subscriptions", "{not json"), 400)
    eq(api("GET", "/push/subscriptions", expect=200).json["subscriptions"], [], "nothing was stored")


def a_push_reminder_reaches_each_subscription_once_encrypted_and_signed():
    phone, laptop = UserAgent(), UserAgent()
    phone_id = subscribe("alice-phone", phone)
    subscribe("alice-laptop", laptop)
    bob = UserAgent()
    subscribe("bob-phone", bob, user="bob")
    listed = api("GET", "/push/subscriptions", expect=200).json["subscriptions"]
    eq(sorted(s["endpoint"] for s in listed), [state["rx"].url("alice-laptop"), state["rx"].url("alice-phone")],
       "alice's subscriptions (not bob's)")
    payload = {"title": "Standup in 15 minutes", "body": "09:00 Room A", "url": "https://cal.example/e/1",
               "tag": "reminder-1"}
    queue_webpush("alice", payload)
    for name, agent in (("alice-phone", phone), ("alice-laptop", laptop)):
        msg = state["rx"].wait(name)[0]
        eq(json.loads(agent.decrypt(msg["body"])), payload, f"what {name} decrypts")
        h = msg["headers"]
        eq(h.get("Content-Encoding"), "aes128gcm", "Content-Encoding")
        eq(h.get("TTL"), "3600", "TTL from push.ttl-seconds")
        eq(h.get("Urgency"), "high", "Urgency of a reminder")
        check_vapid(h, f"http://127.0.0.1:{state['rx'].port}")
    time.sleep(1.5)
    eq(len(state["rx"].received("alice-phone")), 1, "messages to alice-phone (once)")
    eq(len(state["rx"].received("bob-phone")), 0, "messages to bob (not his reminder)")
    listed = {s["id"]: s for s in api("GET", "/push/subscriptions", expect=200).json["subscriptions"]}
    check(listed[phone_id]["last_delivered_at"], f"last_delivered_at set after delivery: {listed[phone_id]}")
    api("DELETE", f"/push/subscriptions/{phone_id}", user="bob", expect=404)
    api("DELETE", f"/push/subscriptions/{phone_id}", expect=204)
    api("DELETE", f"/push/subscriptions/{phone_id}", expect=404)


def a_subscription_the_push_service_calls_gone_is_removed():
    state["rx"].status["gone"] = 410
    gone_id = subscribe("gone", UserAgent())
    queue_webpush("alice", {"title": "t", "body": "b", "url": "https://x/", "tag": "gone"})
    state["rx"].wait("gone")
    deadline = time.time() + 10
    while time.time() < deadline:
        ids = [s["id"] for s in api("GET", "/push/subscriptions", expect=200).json["subscriptions"]]
        if gone_id not in ids:
            break
        time.sleep(0.1)
    check(gone_id not in ids, f"subscription {gone_id} still listed after a 410")
    api("DELETE", f"/push/subscriptions/{gone_id}", expect=404)


def a_reminder_a_push_service_cannot_take_now_is_retried_for_that_subscription_only():
    state["rx"].status["bob-busy"] = 503
    busy_id = subscribe("bob-busy", UserAgent(), user="bob")
    ok_agent = UserAgent()
    subscribe("bob-ok", ok_agent, user="bob")
    payload = {"title": "Review", "body": "in 1 hour", "url": "https://cal.example/e/2", "tag": "split"}
    queued_at = int(time.time())
    queue_webpush("bob", payload)
    eq(json.loads(ok_agent.decrypt(state["rx"].wait("bob-ok")[0]["body"])), payload, "what bob-ok decrypts")
    state["rx"].wait("bob-busy")
    deadline = time.time() + 10
    rows = []
    while time.time() < deadline:
        db = sqlite3.connect(os.path.join(state["data"], "kalends.sqlite3"), timeout=10)
        try:
            rows = db.execute("SELECT j.payload, j.due_at, j.attempts FROM jobs j JOIN principals p ON p.id = j.owner_id "
                              "WHERE j.kind = 'webpush' AND p.name = 'bob' AND j.failed_at IS NULL").fetchall()
        finally:
            db.close()
        if len(rows) == 1 and "subscription" in json.loads(rows[0][0]):
            break
        time.sleep(0.1)
    eq(len(rows), 1, f"bob's webpush jobs after one subscription answered 503: {rows}")
    retry = json.loads(rows[0][0])
    eq(retry.pop("subscription"), int(busy_id), "the retry aims at the busy subscription only")
    eq(retry, payload, "the retry carries the reminder")
    check(rows[0][1] >= queued_at + 10, f"the retry waits (due {rows[0][1]}, queued {queued_at})")
    ids = [x["id"] for x in api("GET", "/push/subscriptions", user="bob", expect=200).json["subscriptions"]]
    check(busy_id in ids, "a 503 does not remove the subscription")
    eq(len(state["rx"].received("bob-ok")), 1, "messages to bob-ok (once)")


def topic_of(key):
    """RFC 8030 §5.4 Topic the server derives from a reminder's delivery key."""
    return b64u(hashlib.sha256(key.encode()).digest())[:32]


def a_reminder_push_has_a_topic_high_urgency_a_ttl_within_its_event_and_reuses_the_connection():
    agent = UserAgent()
    subscribe("alice-tablet", agent)
    shown = {"title": "Retro", "body": "Room 2", "url": "https://cal.example/e/3",
             "tag": "reminder/7/retro.ics//#0/1741592700/0/push"}
    queue_webpush("alice", dict(shown, expires=int(time.time()) + 600))
    first = state["rx"].wait("alice-tablet")[0]
    eq(json.loads(agent.decrypt(first["body"])), shown, "what the subscriber decrypts (no 'expires')")
    h = first["headers"]
    eq(h.get("Topic"), topic_of(shown["tag"]), "Topic from the delivery key")
    check(re.fullmatch(r"[A-Za-z0-9_-]{32}", h.get("Topic", "")), f"Topic is 32 base64url characters: {h.get('Topic')}")
    eq(h.get("Urgency"), "high", "Urgency of a reminder")
    check(580 <= int(h.get("TTL", "0")) <= 600, f"TTL within the event's remaining 600 s: {h.get('TTL')}")
    # A second reminder to the same push service goes over the same connection.
    queue_webpush("alice", dict(shown, title="Retro 2", tag="reminder/7/retro.ics//#0/1741592700/1/push"))
    second = state["rx"].wait("alice-tablet", count=2)[1]
    eq(second["headers"].get("TTL"), "3600", "TTL of a reminder without an end (push.ttl-seconds)")
    check(second["headers"].get("Topic") != h.get("Topic"), "another delivery key, another Topic")
    eq(second["peer"], first["peer"], "the sender's port (one kept-alive connection for both)")
    # A reminder whose event is over by the time it is sent is not pushed.
    queue_webpush("alice", dict(shown, title="Over", expires=int(time.time()) - 1))
    time.sleep(1.5)
    eq(len(state["rx"].received("alice-tablet")), 2, "messages to alice-tablet (none for the ended event)")


def a_calendar_offers_webdav_push_in_its_properties_and_dav_header():
    r = request("OPTIONS", "/dav/calendars/alice/calendar/")
    check("webdav-push" in r.header("DAV"), f"DAV header lists webdav-push: {r.header('DAV')!r}")
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:p="https://bitfire.at/webdav-push"><d:prop>'
            "<p:transports/><p:topic/><p:supported-triggers/></d:prop></d:propfind>")
    r = request("PROPFIND", "/dav/calendars/alice/calendar/", body, headers={"Depth": "0", "Content-Type": "application/xml; charset=utf-8"})
    eq(r.status, 207, "PROPFIND status")
    root = ET.fromstring(r.body)
    key = root.find(".//p:transports/p:web-push/p:vapid-public-key", NS)
    check(key is not None, f"transports/web-push/vapid-public-key in {r.body[:600]!r}")
    eq(key.text, state["vapid"], "the VAPID key in transports")
    eq(key.get("type"), "p256ecdsa", "vapid-public-key type")
    topic = root.findtext(".//p:topic", None, NS)
    check(topic and re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", topic), f"a topic fit for the Topic header: {topic!r}")
    state["topic"] = topic
    eq(root.findtext(".//p:supported-triggers/p:content-update/d:depth", None, NS), "1", "content-update depth")


def a_registered_client_is_pushed_when_an_event_is_put_and_not_after_unregistering():
    agent = UserAgent()
    r = push_register("/dav/calendars/alice/calendar/", state["rx"].url("davx5"), agent)
    eq(r.status, 201, f"push-register: {r!r}")
    location = r.header("Location")
    check(re.fullmatch(rf"http://127\.0\.0\.1:{state['port']}/api/v1/push/subscriptions/\d+", location),
          f"an absolute registration URL: {location!r}")
    expires = calendar.timegm(time.strptime(r.header("Expires"), "%a, %d %b %Y %H:%M:%S GMT"))
    check(time.time() + 6 * 86400 < expires <= time.time() + 7 * 86400 + 60,
          f"Expires capped at push.registration-days (7): {r.header('Expires')}")
    # The same push resource again updates the registration: one URL.
    eq(push_register("/dav/calendars/alice/calendar/", state["rx"].url("davx5"), agent).header("Location"), location,
       "registration URL of the same push resource")
    put_event("push-1")
    msg = state["rx"].wait("davx5")[0]
    xml = ET.fromstring(agent.decrypt(msg["body"]))
    eq(xml.tag, f"{{{PUSH_NS}}}push-message", "root of the push message")
    eq(xml.findtext("p:topic", None, NS), state["topic"], "topic in the push message")
    token = xml.findtext("p:content-update/d:sync-token", None, NS)
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>')
    now_token = ET.fromstring(request("PROPFIND", "/dav/calendars/alice/calendar/", body,
                                      headers={"Depth": "0", "Content-Type": "application/xml; charset=utf-8"}).body).findtext(".//d:sync-token", None, NS)
    eq(token, now_token, "the pushed sync-token is the calendar's")
    eq(msg["headers"].get("Topic"), state["topic"], "Topic header")
    check_vapid(msg["headers"], f"http://127.0.0.1:{state['rx'].port}")
    # Another user may not end it; its owner may, once.
    eq(request("DELETE", location.split(str(state["port"]), 1)[1], user="bob").status, 404, "bob's DELETE")
    path = location.split(str(state["port"]), 1)[1]
    eq(request("DELETE", path).status, 204, "DELETE of the registration URL")
    eq(request("DELETE", path).status, 404, "second DELETE")
    put_event("push-2")
    time.sleep(2.5)
    eq(len(state["rx"].received("davx5")), 1, "push messages after unregistering")


def push_register_refuses_what_it_cannot_serve():
    agent = UserAgent()
    only_props = "<P:property-update><D:depth>0</D:depth></P:property-update>"
    r = push_register("/dav/calendars/alice/calendar/", state["rx"].url("p"), agent, trigger=only_props)
    eq(r.status, 403, f"property-update only: {r!r}")
    check(b"no-supported-trigger" in r.body, f"no-supported-trigger in {r.body!r}")
    r = push_register("/dav/calendars/alice/calendar/", "ftp://127.0.0.1/x", agent)
    eq(r.status, 403, f"ftp push resource: {r!r}")
    check(b"invalid-subscription" in r.body, f"invalid-subscription in {r.body!r}")
    eq(push_register("/dav/calendars/alice/calendar/", state["rx"].url("p"), agent, user="bob").status, 403,
       "bob registering on alice's calendar")


def a_registration_follows_its_calendars_move_under_the_topic_it_was_made_under():
    """A MOVE gives the calendar a new id (and topic); the client registered
    before knows the old one, and a push under a topic it does not know is
    skipped (DAVx5), so the moved registration keeps the old topic."""
    old, new = "/dav/calendars/alice/moving/", "/dav/calendars/alice/moved/"
    r = request("MKCALENDAR", old)
    eq(r.status, 201, f"MKCALENDAR: {r!r}")
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:p="https://bitfire.at/webdav-push"><d:prop>'
            "<p:topic/></d:prop></d:propfind>")
    props = {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"}
    topic = ET.fromstring(request("PROPFIND", old, body, headers=props).body).findtext(".//p:topic", None, NS)
    agent = UserAgent()
    eq(push_register(old, state["rx"].url("mover"), agent).status, 201, "push-register on the calendar to move")
    r = request("MOVE", old, headers={"Destination": f"http://127.0.0.1:{state['port']}{new}"})
    eq(r.status, 201, f"MOVE: {r!r}")
    moved_topic = ET.fromstring(request("PROPFIND", new, body, headers=props).body).findtext(".//p:topic", None, NS)
    check(moved_topic != topic, f"the moved calendar has a topic of its own ({moved_topic!r})")
    put_event("push-moved", new)
    msg = state["rx"].wait("mover")[0]
    xml = ET.fromstring(agent.decrypt(msg["body"]))
    eq(xml.findtext("p:topic", None, NS), topic, "topic in the push message: the one registered under")
    eq(msg["headers"].get("Topic"), topic, "Topic header")


CASES = [
    the_vapid_key_is_served_and_kept_in_the_data_directory,
    bad_subscriptions_are_refused_naming_the_field,
    a_push_reminder_reaches_each_subscription_once_encrypted_and_signed,
    a_subscription_the_push_service_calls_gone_is_removed,
    a_reminder_a_push_service_cannot_take_now_is_retried_for_that_subscription_only,
    a_reminder_push_has_a_topic_high_urgency_a_ttl_within_its_event_and_reuses_the_connection,
    a_calendar_offers_webdav_push_in_its_properties_and_dav_header,
    a_registered_client_is_pushed_when_an_event_is_put_and_not_after_unregistering,
    push_register_refuses_what_it_cannot_serve,
    a_registration_follows_its_calendars_move_under_the_topic_it_was_made_under,
]

# ---------------------------------------------------------------- server


def run_cli(args, stdin=None):
    p = subprocess.run([BIN] + args + ["--data", state["data"]], input=stdin, capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"kalends {' '.join(args)}: {p.stderr}")
    return p.stdout


def start_server(data, log, config):
    logf = open(log, "w")
    proc = subprocess.Popen([BIN, "serve", "--data", data, "--listen", "127.0.0.1:0", "--config", config],
                            stdout=logf, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            port = int(m.group(1))
            try:
                if request("GET", "/health", user=None, port=port).status == 200:
                    return proc, port
            except OSError:
                pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("server did not start: " + open(log).read()[-2000:])


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def setup():
    state["work"] = tempfile.mkdtemp(prefix="kalends-push-e2e-")
    state["data"] = os.path.join(state["work"], "data")
    for user in ("alice", "bob"):
        run_cli(["user", "add", user, "--email", f"{user}@example.com", "--password-stdin"], stdin=PASSWORD[user] + "\n")
    config = os.path.join(state["work"], "kalends.conf")
    with open(config, "w") as f:
        f.write("[push]\nallow-http = true\nvapid-subject = mailto:ops@example.org\nttl-seconds = 3600\n")
    state["rx"] = Receiver()
    state["proc"], state["port"] = start_server(state["data"], os.path.join(state["work"], "server.log"), config)
    state["vapid"] = api("GET", "/push/vapid-public-key", expect=200).json["key"]


def run_cases(cases, setup, teardown):
    """Runs setup, every case, then teardown; prints ok/FAIL per case and the
    summary lines the test summary reads; 1 when anything failed."""
    if not BIN or not os.access(BIN, os.X_OK):
        print("KALENDS_BIN must name the kalends executable", file=sys.stderr)
        return 2
    passed = failed = 0
    try:
        setup()
        for case in cases:
            try:
                case()
                print(f"ok {case.__name__}", flush=True)
                passed += 1
            except Exception as e:  # noqa: BLE001 - one case's failure must not stop the others
                why = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=3).strip()
                print(f"FAIL {case.__name__}: {why}", flush=True)
                failed += 1
    except Exception as e:  # noqa: BLE001 - setup failed: every case counts as failed
        print(f"FAIL setup: {e}")
        failed = len(cases) - passed
    finally:
        teardown()
    total = passed + failed
    print(f"\n  {passed} test cases out of {total} passed")
    if failed:
        print(f"  {failed} test cases out of {total} failed")
    return 1 if failed else 0


def teardown():
    if "proc" in state:
        stop_server(state["proc"])
    if "rx" in state:
        state["rx"].server.shutdown()
    if "work" in state:
        if os.environ.get("KEEP_WORK"):
            print(f"work files kept in {state['work']}")
        else:
            shutil.rmtree(state["work"], ignore_errors=True)


def main():
    only = set(sys.argv[1:])
    return run_cases([c for c in CASES if not only or c.__name__ in only], setup, teardown)

if __name__ == "__main__":
    sys.exit(main())
