/*
 * Shared helpers for kfork's native anchors: a monotonic clock, a seeded xorshift generator,
 * a median, and one JSON line per result on stdout.
 *
 * Every program takes the same options: --quick (short run, the default of scripts/bench.sh),
 * --full (more samples, larger repetition counts) or --smoke (rbtree: small sizes only; for tests).
 */
#ifndef KFORK_ANCHOR_COMMON_H
#define KFORK_ANCHOR_COMMON_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, seeded, good enough to shuffle keys. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rng_next(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Fisher-Yates over an array of longs. */
static inline void shuffle(long *a, long n)
{
	for (long i = n - 1; i > 0; i--) {
		long j = (long)(rng_next() % (uint64_t)(i + 1));
		long t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of n samples; sorts them in place. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return (n & 1) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* True when argv holds --smoke: the smallest sizes only, for the build test. */
static inline int smoke_mode(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--smoke") == 0)
			return 1;
	return 0;
}

/* True when argv holds --full; every program defaults to the quick profile. */
static inline int full_mode(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--full") == 0)
			return 1;
	return 0;
}

/*
 * One result: {"suite":..,"op":..,"n":..,"ns_per_op":..,"samples":..}, and "detail":.. when detail
 * is not NULL (what was measured: sizes, VMA counts; plain text, no quotes or backslashes). The Java
 * report reads these lines (org.kfork.bench.harness.NativeAnchors); keep the keys stable.
 */
static inline void emit_detail(const char *suite, const char *op, long n, double ns_per_op, int samples,
			       const char *detail)
{
	printf("{\"suite\":\"%s\",\"op\":\"%s\",\"n\":%ld,\"ns_per_op\":%.3f,\"samples\":%d",
	       suite, op, n, ns_per_op, samples);
	if (detail)
		printf(",\"detail\":\"%s\"", detail);
	printf("}\n");
	fflush(stdout);
}

static inline void emit(const char *suite, const char *op, long n, double ns_per_op, int samples)
{
	emit_detail(suite, op, n, ns_per_op, samples, NULL);
}

/* Keeps the compiler from proving a value or a buffer dead. */
#define KEEP(x) __asm__ volatile("" : : "g"(x) : "memory")
#define CLOBBER() __asm__ volatile("" : : : "memory")

#endif
