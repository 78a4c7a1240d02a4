package jobs

import (
	"context"
	"testing"
	"time"
)

func TestSlot(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name     string
		t        time.Time
		interval time.Duration
		want     int64
	}{
		{"Epoch", utc("1970-01-01T00:00:00Z"), time.Minute, 0},
		{"FirstMinuteEnd", utc("1970-01-01T00:00:59.999999999Z"), time.Minute, 0},
		{"SecondMinute", utc("1970-01-01T00:01:00Z"), time.Minute, 1},
		{"BeforeEpochFloors", utc("1969-12-31T23:59:59Z"), time.Minute, -1},
		{"BeforeEpochExact", utc("1969-12-31T23:59:00Z"), time.Minute, -1},
		{"2026Minute", utc("2026-02-01T12:00:30Z"), time.Minute, 29499120},
		{"2026Day", utc("2026-02-01T12:00:30Z"), 24 * time.Hour, 20485},
		{"ZoneDoesNotMatter", utc("2026-02-01T20:00:30+08:00"), time.Minute, 29499120},
		{"OddInterval", utc("1970-01-01T00:00:20Z"), 7 * time.Second, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Slot(tt.t, tt.interval); got != tt.want {
				t.Fatalf("Slot(%s, %s) = %d, want %d", tt.t, tt.interval, got, tt.want)
			}
			start := SlotStart(tt.want, tt.interval)
			if start.After(tt.t) || !tt.t.Before(start.Add(tt.interval)) {
				t.Fatalf("SlotStart(%d, %s) = %s, does not hold %s", tt.want, tt.interval, start, tt.t)
			}
			if got := Slot(start, tt.interval); got != tt.want {
				t.Fatalf("Slot(SlotStart(%d)) = %d", tt.want, got)
			}
		})
	}
}

func TestNextWake(t *testing.T) {
	now := time.Date(2026, 2, 1, 12, 0, 50, 0, time.UTC)
	tests := []struct {
		name        string
		lastAttempt time.Time
		leader      bool
		intervals   []time.Duration
		want        time.Duration
	}{
		{"FollowerWaitsForRenewal", now.Add(-4 * time.Second), false, []time.Duration{time.Minute}, 6 * time.Second},
		{"LeaderWakesAtSlot", now, true, []time.Duration{time.Minute}, 10 * time.Second},
		{"LeaderRenewsFirst", now.Add(-8 * time.Second), true, []time.Duration{time.Minute}, 2 * time.Second},
		{"ShortestIntervalWins", now, true, []time.Duration{time.Hour, 3 * time.Second, time.Minute}, time.Second},
		{"OverdueRenewalIsFloored", now.Add(-time.Minute), false, nil, minWake},
		{"NoJobs", now, true, nil, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextWake(now, tt.lastAttempt, 10*time.Second, tt.leader, tt.intervals); got != tt.want {
				t.Fatalf("nextWake = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRunFrom(t *testing.T) {
	if _, ok := RunFrom(context.Background()); ok {
		t.Fatal("RunFrom(background) found a run")
	}
	want := Run{Job: "a.b", Slot: 7, Interval: time.Minute, Start: SlotStart(7, time.Minute), Holder: "h", Token: 3}
	got, ok := RunFrom(withRun(context.Background(), want))
	if !ok || got != want {
		t.Fatalf("RunFrom = %+v, %v; want %+v", got, ok, want)
	}
}

func TestRegisterPanics(t *testing.T) {
	noop := func(context.Context) error { return nil }
	tests := []struct {
		name     string
		job      string
		interval time.Duration
		fn       func(context.Context) error
	}{
		{"EmptyName", "", time.Minute, noop},
		{"UpperCase", "Audit.Checkpoint", time.Minute, noop},
		{"Spaces", "audit checkpoint", time.Minute, noop},
		{"TrailingDot", "audit.", time.Minute, noop},
		{"ZeroInterval", "a", 0, noop},
		{"NegativeInterval", "a", -time.Second, noop},
		{"NilFunc", "a", time.Minute, nil},
		{"Duplicate", "dup", time.Minute, noop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(nopLedger{}, Config{Holder: "h"})
			s.Register("dup", time.Hour, noop)
			defer func() {
				if recover() == nil {
					t.Fatalf("Register(%q, %s) did not panic", tt.job, tt.interval)
				}
			}()
			s.Register(tt.job, tt.interval, tt.fn)
		})
	}
	t.Run("OK", func(t *testing.T) {
		s := New(nopLedger{}, Config{Holder: "h"})
		for _, name := range []string{"audit.checkpoint", "shipping.expire_reservations", "x1"} {
			s.Register(name, time.Minute, noop)
		}
		if got, want := len(s.Jobs()), 3; got != want {
			t.Fatalf("Jobs() has %d names, want %d", got, want)
		}
	})
}
