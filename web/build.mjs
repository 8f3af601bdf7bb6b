// Builds the web app into OUTDIR (default dist/): one JS bundle and one
// stylesheet with content-hashed names, index.html naming them, the service
// worker at a fixed name (sw.js: its URL decides its scope, so it cannot be
// hashed; it is served with no-cache and the browser re-checks it), and a
// gzip and a brotli copy of each (NAME.gz, NAME.br) when they save space.
// FullCalendar 6 injects its CSS from script into a <style> element, which
// our Content-Security-Policy (style-src 'self') refuses; this build lifts
// those CSS strings out of its modules into the stylesheet instead.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] || join(here, 'dist'));
const liftedCss = [];

/** Takes FullCalendar's `var css_… = "…"; injectStyles(css_…);` pairs out of its modules. */
const liftFullCalendarStyles = {
  name: 'lift-fullcalendar-styles',
  setup(build) {
    build.onLoad({ filter: /@fullcalendar[\\/].*\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      text = text.replace(/var (css_\w+) = ("(?:[^"\\]|\\.)*");\s*injectStyles\(\1\);/g, (_, _name, literal) => {
        liftedCss.push(JSON.parse(literal));
        return '';
      });
      // With nothing to inject, it need not create an (empty, refused) <style> either.
      text = text.replace('function registerStylesRoot(rootNode) {', 'function registerStylesRoot(rootNode) { return;');
      return { contents: text, loader: 'js' };
    });
  },
};

const hash = (data) => createHash('sha256').update(data).digest('hex').slice(0, 12);

// Code only some screens need (the QR code) is split into chunks loaded on
// first use (import()); the entry and chunks carry content hashes in their names.
const js = await esbuild.build({
  entryPoints: [join(here, 'src/app.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  outdir: '/kalends-out',
  entryNames: 'app-[hash]',
  chunkNames: 'chunk-[hash]',
  target: ['es2020'],
  write: false,
  legalComments: 'none',
  plugins: [liftFullCalendarStyles],
  logLevel: 'warning',
});
const entry = js.outputFiles.find((f) => /\/app-[^/]+\.js$/.test(f.path));
const chunks = js.outputFiles.filter((f) => f !== entry);
const jsText = entry.contents;
if (liftedCss.length < 3) throw new Error(`expected FullCalendar's core, daygrid and timegrid styles, found ${liftedCss.length}`);
const css = await esbuild.transform(liftedCss.join('\n') + '\n' + readFileSync(join(here, 'src/style.css'), 'utf8'),
  { loader: 'css', minify: true });

const sw = await esbuild.build({
  entryPoints: [join(here, 'src/sw.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});

/** Writes `name` and, when they are at least 10% smaller, NAME.gz and NAME.br. */
function emit(name, data) {
  const bytes = Buffer.from(data);
  writeFileSync(join(outdir, name), bytes);
  const gz = gzipSync(bytes, { level: 9 });
  const br = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
    [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  if (gz.length < bytes.length * 0.9) writeFileSync(join(outdir, `${name}.gz`), gz);
  if (br.length < bytes.length * 0.9) writeFileSync(join(outdir, `${name}.br`), br);
  return `${name} ${bytes.length} B (gzip ${gz.length}, br ${br.length})`;
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const jsName = entry.path.split('/').pop();
const cssName = `app-${hash(css.code)}.css`;
const page = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replaceAll('@APP_JS@', `/assets/${jsName}`)
  .replaceAll('@APP_CSS@', `/assets/${cssName}`);
for (const c of chunks) console.log(`web: ${emit(c.path.split('/').pop(), c.contents)}`);
console.log(`web: ${emit(jsName, jsText)}, ${emit(cssName, css.code)}, ${emit('sw.js', sw.outputFiles[0].contents)}, ` +
  emit('index.html', page));
