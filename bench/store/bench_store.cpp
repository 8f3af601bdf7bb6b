// Times the store calls behind a week calendar-query and a Depth 1 PROPFIND on
// a database the HTTP benchmark filled (bench/run keeps none; copy one from a
// server's data directory). Prints numbers, asserts nothing.
//
//   bench_store DATABASE [COLLECTION_ID] [REPEATS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/http/workload.hpp"
#include "src/storage/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    std::vector<double> ms;
    void print(const char* what, std::size_t members) {
        std::sort(ms.begin(), ms.end());
        double sum = 0;
        for (double m : ms) sum += m;
        std::printf(
            "%-34s %6zu calls  mean %7.3f  p50 %7.3f  p99 %7.3f ms  (%zu members per call on "
            "average)\n",
            what, ms.size(), sum / static_cast<double>(ms.size()), ms[ms.size() / 2],
            ms[ms.size() * 99 / 100], members / std::max<std::size_t>(ms.size(), 1));
    }
};

template <class F>
double timed(F&& f) {
    auto t0 = Clock::now();
    f();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_store DATABASE [COLLECTION_ID] [REPEATS]\n");
        return 2;
    }
    const std::int64_t collection = argc > 2 ? std::atoll(argv[2]) : 1;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 20;
    const auto weeks = bench::week_windows(16);
    // The range queries from the database, then from the collection cache.
    for (std::size_t cache_bytes : {std::size_t{0}, server::SqliteOptions{}.collection_cache_bytes}) {
        server::SqliteOptions options;
        options.file = argv[1];
        options.collection_cache_bytes = cache_bytes;
        auto store = server::SqliteStore::open(options);
        std::printf("collection cache %zu MB:\n", cache_bytes >> 20);
        for (bool with_data : {true, false}) {
            Stats s;
            std::size_t members = 0;
            for (int r = 0; r < repeats; ++r)
                for (const auto& w : weeks)
                    s.ms.push_back(timed([&] {
                        members += store->list_objects_in_range(collection, w.start, w.end, with_data).size();
                    }));
            s.print(with_data ? "list_objects_in_range, data" : "list_objects_in_range, no data", members);
        }
        if (cache_bytes == 0) continue;
        const auto all = store->list_objects_in_range(collection, std::nullopt, std::nullopt, true).size();
        std::printf("copy of the collection with all %zu members' data: %.1f MB\n", all,
                    static_cast<double>(store->collection_cache().bytes()) / (1 << 20));
    }
    server::SqliteOptions options;
    options.file = argv[1];
    auto store = server::SqliteStore::open(options);
    Stats s;
    std::size_t members = 0;
    for (int r = 0; r < repeats; ++r) {
        s.ms.push_back(timed([&] {
            std::string after;
            for (;;) {
                auto page = store->list_objects_page(collection, after, 500, false);
                members += page.size();
                if (page.size() < 500) break;
                after = page.back().name;
            }
        }));
    }
    s.print("list_objects_page, all, no data", members);
    return 0;
}
