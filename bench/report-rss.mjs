// Preloaded with `node --import` into a benchmarked command: prints its peak RSS (KB) on stderr at exit.
process.on('exit', () => process.stderr.write(`\nBENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`))
