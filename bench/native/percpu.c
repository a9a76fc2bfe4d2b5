/*
 * Native anchor: the per-CPU slot take+put pair of fork.c's cached_stacks, the C counterpart of
 * StackCacheBench.
 *
 *   take = xchg(slot, NULL)          -- LOCK XCHG on x86
 *   put  = cmpxchg(slot, NULL -> p)  -- LOCK CMPXCHG
 *
 * One pair per iteration. Reported in ns per pair for 1 thread ("pair_1t") and for 2 threads, each
 * on its own slot set ("pair_2t"), the slot sets 128 bytes apart so that neither the line nor the
 * adjacent-line prefetcher pairs them.
 */
#include "common.h"
#include <pthread.h>

#define NR_CACHED_STACKS 2
#define STRIDE 128

struct cpu_slots {
	void *slot[NR_CACHED_STACKS];
	char pad[STRIDE - NR_CACHED_STACKS * sizeof(void *)];
} __attribute__((aligned(STRIDE)));

static struct cpu_slots cpus[2];
static long iterations;
static double per_thread_ns[2];

static void *worker(void *arg)
{
	long cpu = (long)arg;
	struct cpu_slots *s = &cpus[cpu];
	void *stack = &cpus[cpu]; /* any non-NULL pointer stands for a cached stack */
	s->slot[0] = stack;
	uint64_t t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		void *p = __atomic_exchange_n(&s->slot[0], NULL, __ATOMIC_SEQ_CST);
		void *expected = NULL;
		if (!__atomic_compare_exchange_n(&s->slot[0], &expected, p, 0, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST)) {
			fprintf(stderr, "percpu: own slot was taken by someone else\n");
			exit(1);
		}
	}
	per_thread_ns[cpu] = (double)(now_ns() - t0) / (double)iterations;
	return NULL;
}

static double run(int threads)
{
	pthread_t t[2];
	for (long i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	double worst = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (per_thread_ns[i] > worst)
			worst = per_thread_ns[i];
	}
	return worst;
}

int main(int argc, char **argv)
{
	int full = full_mode(argc, argv);
	int samples = full ? 9 : 3;
	double s[9];
	iterations = full ? 20000000 : 10000000;
	for (int threads = 1; threads <= 2; threads++) {
		for (int k = 0; k < samples; k++)
			s[k] = run(threads);
		emit("percpu", threads == 1 ? "pair_1t" : "pair_2t", 1, median(s, samples), samples);
	}
	return 0;
}
