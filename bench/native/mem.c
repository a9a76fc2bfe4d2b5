/*
 * Native anchors for memory primitives:
 *   memset_16k   memset of a hot 16 KiB buffer (THREAD_SIZE), what clearing a thread stack costs
 *   malloc_free  malloc(200) + free immediately (glibc tcache), the C counterpart of SlabBench's
 *                alloc+free pair of a vm_area_struct-sized object
 */
#include "common.h"

#define THREAD_SIZE 16384

int main(int argc, char **argv)
{
	int full = full_mode(argc, argv);
	int samples = full ? 9 : 3;
	double s[9];
	long reps = full ? 200000 : 30000;
	static char stack[THREAD_SIZE] __attribute__((aligned(64)));

	for (int k = 0; k < samples; k++) {
		uint64_t t0 = now_ns();
		for (long i = 0; i < reps; i++) {
			memset(stack, 0, THREAD_SIZE);
			KEEP(stack);
		}
		s[k] = (double)(now_ns() - t0) / (double)reps;
	}
	emit("memset", "memset_16k", THREAD_SIZE, median(s, samples), samples);

	long pairs = full ? 50000000 : 5000000;
	for (int k = 0; k < samples; k++) {
		uint64_t t0 = now_ns();
		for (long i = 0; i < pairs; i++) {
			void *p = malloc(200);
			KEEP(p);
			free(p);
		}
		s[k] = (double)(now_ns() - t0) / (double)pairs;
	}
	emit("malloc", "malloc_free", 200, median(s, samples), samples);
	return 0;
}
