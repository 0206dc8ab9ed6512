// peerparse times one peer's Prometheus text parser on one exposition file, for `make bench`
// (tools/bench/run_benchmarks.py), beside our parser_benchmark on the same file.
//
//	peerparse -parser vm|expfmt -file FILE -seconds S
//
// vm: VictoriaMetrics' lib/protoparser/prometheus Rows.Unmarshal, one Rows reused across parses
// (as vmagent and vminsert use it). expfmt: Prometheus' common/expfmt TextParser.TextToMetricFamilies
// (what client_golang and prom2json use), a new parser per parse as it holds per-parse state.
// Prints one JSON object: bytes, series, runs, wall seconds per parse (median of the runs), CPU
// seconds per parse (the process's user + system time over all runs, so the garbage collector's
// threads count too, ÷ runs), MB/s (2^20 bytes per CPU second: the machine is shared, so wall
// time overstates a parse) and heap allocations per parse (runtime.MemStats.Mallocs ÷ runs).
//
// Built offline from Debian's Go sources (GO111MODULE=off GOPATH=/usr/share/gocode go build).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	vmprom "github.com/VictoriaMetrics/VictoriaMetrics/lib/protoparser/prometheus"
	"github.com/prometheus/common/expfmt"
)

type result struct {
	Parser         string  `json:"parser"`
	Bytes          int     `json:"bytes"`
	Series         int     `json:"series"`
	Errors         int     `json:"errors"`
	Runs           int     `json:"runs"`
	Seconds        float64 `json:"seconds"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	MBPerS         float64 `json:"mb_per_s"`
	AllocsPerParse float64 `json:"allocs_per_parse"`
}

func main() {
	parser := flag.String("parser", "vm", "vm or expfmt")
	file := flag.String("file", "", "exposition file")
	seconds := flag.Float64("seconds", 2, "time budget (at least 3 parses)")
	flag.Parse()
	data, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	text := string(data)

	var parse func() (series, errors int)
	switch *parser {
	case "vm":
		var rows vmprom.Rows
		errs := 0
		logger := func(string) { errs++ }
		parse = func() (int, int) {
			errs = 0
			rows.Reset()
			rows.UnmarshalWithErrLogger(text, logger)
			return len(rows.Rows), errs
		}
	case "expfmt":
		parse = func() (int, int) {
			var p expfmt.TextParser
			families, err := p.TextToMetricFamilies(strings.NewReader(text))
			n := 0
			for _, f := range families {
				n += len(f.GetMetric())
				if f.GetType().String() == "HISTOGRAM" {
					for _, m := range f.GetMetric() {
						n += len(m.GetHistogram().GetBucket()) + 1 // _bucket lines + _count; _sum counted above
					}
				} else if f.GetType().String() == "SUMMARY" {
					for _, m := range f.GetMetric() {
						n += len(m.GetSummary().GetQuantile()) + 1
					}
				}
			}
			if err != nil {
				return n, 1
			}
			return n, 0
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown -parser", *parser)
		os.Exit(2)
	}

	series, errors := parse() // warm-up: VM's Rows grows its buffers once
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuSeconds()
	var times []float64
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	for time.Now().Before(deadline) || len(times) < 3 {
		start := time.Now()
		series, errors = parse()
		times = append(times, time.Since(start).Seconds())
	}
	cpu := (cpuSeconds() - cpu0) / float64(len(times))
	runtime.ReadMemStats(&after)
	sort.Float64s(times)
	median := times[len(times)/2]
	out, _ := json.Marshal(result{
		Parser: *parser, Bytes: len(data), Series: series, Errors: errors, Runs: len(times),
		Seconds: median, CPUSeconds: cpu, MBPerS: float64(len(data)) / cpu / (1 << 20),
		AllocsPerParse: float64(after.Mallocs-before.Mallocs) / float64(len(times)),
	})
	fmt.Println(string(out))
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
