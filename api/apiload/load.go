// Package apiload is tollgate's load benchmark for the HTTP API: a bounded
// Go client that drives a server on a loopback address with a fixed number
// of concurrent workers, for a fixed number of requests, and reports
// throughput and latency percentiles. `tollgate bench api` and the
// package's go test benchmarks use it.
package apiload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Call is one request of a load run; Items is what it counts for (the
// names in a screening batch; 1 for a GET).
type Call struct {
	Method string
	Path   string
	Body   []byte
	Items  int
}

// Load describes one load run.
type Load struct {
	// Name labels the run in reports.
	Name string
	// BaseURL is the server, e.g. http://127.0.0.1:43123.
	BaseURL string
	// Concurrency is the number of workers, each with one request in flight.
	Concurrency int
	// Requests is how many requests the run makes in all.
	Requests int
	// Next returns the i-th call; it must be safe for concurrent use.
	Next func(i int) Call
	// WantStatus is the status every response must have.
	WantStatus int
	// Token is the API token sent as "Authorization: Bearer"; "" sends none.
	Token string
}

// Result is the outcome of a load run.
type Result struct {
	Name        string        `json:"name"`
	Concurrency int           `json:"concurrency"`
	Requests    int           `json:"requests"`
	Errors      int           `json:"errors"`
	Items       int           `json:"items"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	// PerSecond is requests per second; ItemsPerSecond items per second.
	PerSecond      float64       `json:"requests_per_second"`
	ItemsPerSecond float64       `json:"items_per_second"`
	P50            time.Duration `json:"p50_ns"`
	P99            time.Duration `json:"p99_ns"`
	Max            time.Duration `json:"max_ns"`
	// FirstError describes the first failed request, if any.
	FirstError string `json:"first_error,omitempty"`
}

// String renders the result on one line.
func (r Result) String() string {
	s := fmt.Sprintf("%-12s %7d requests  %9.0f req/s", r.Name, r.Requests, r.PerSecond)
	if r.Items != r.Requests {
		s += fmt.Sprintf("  %9.0f items/s", r.ItemsPerSecond)
	}
	s += fmt.Sprintf("  p50 %-9s p99 %-9s max %-9s errors %d", round(r.P50), round(r.P99), round(r.Max), r.Errors)
	if r.FirstError != "" {
		s += " (first: " + r.FirstError + ")"
	}
	return s
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// NewClient returns an HTTP client whose connection pool fits
// concurrency workers, so the run measures the server rather than TCP
// connection setup.
func NewClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = concurrency * 2
	tr.MaxIdleConnsPerHost = concurrency * 2
	tr.Proxy = nil // loopback only
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// Run performs the load with client and returns its result. It stops early
// when ctx is cancelled.
func Run(ctx context.Context, client *http.Client, l Load) Result {
	if l.Concurrency < 1 {
		l.Concurrency = 1
	}
	lat := make([]time.Duration, l.Requests)
	var (
		next     atomic.Int64
		items    atomic.Int64
		errs     atomic.Int64
		firstErr sync.Once
		first    string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range l.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= l.Requests {
					return
				}
				call := l.Next(i)
				t0 := time.Now()
				err := do(ctx, client, l, call)
				lat[i] = time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.Do(func() { first = err.Error() })
					continue
				}
				items.Add(int64(call.Items))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	done := min(int(next.Load()), l.Requests)
	lat = lat[:done]
	slices.Sort(lat)
	r := Result{
		Name: l.Name, Concurrency: l.Concurrency, Requests: done, Errors: int(errs.Load()),
		Items: int(items.Load()), Elapsed: elapsed, FirstError: first,
	}
	if secs := elapsed.Seconds(); secs > 0 {
		r.PerSecond = float64(done) / secs
		r.ItemsPerSecond = float64(r.Items) / secs
	}
	if len(lat) > 0 {
		r.P50 = lat[len(lat)*50/100]
		r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		r.Max = lat[len(lat)-1]
	}
	return r
}

// do sends one call of l and checks its status, reading the whole body so
// the connection is reused.
func do(ctx context.Context, client *http.Client, l Load, c Call) error {
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, l.BaseURL+c.Path, body)
	if err != nil {
		return err
	}
	if c.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if l.Token != "" {
		req.Header.Set("Authorization", "Bearer "+l.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != l.WantStatus {
		if len(b) > 200 {
			b = b[:200]
		}
		return fmt.Errorf("%s %s: status %d: %s", c.Method, c.Path, resp.StatusCode, b)
	}
	return nil
}
