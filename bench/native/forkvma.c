/*
 * Native anchor: the real kernel's fork() against the number of VMAs in the parent, the kernel
 * counterpart of DupMmapBench.
 *
 * The parent maps N+2 pages PROT_NONE, then gives the N inner pages alternating protections
 * (read-write, read-only), so no two neighbours can merge: N VMAs between two PROT_NONE guards.
 * For each N it times
 *   return  fork() until it returns in the parent (copy_process, with dup_mmap)
 *   total   the same plus the child's _exit(0) and the parent's waitpid (adds exit_mmap)
 * and fits a least-squares line over N: the slope is the cost per VMA.
 *
 * Two variants: "untouched" (no page faulted in) and "dirty" (one written page per VMA, so fork
 * also copies page tables and write-protects for COW).
 *
 * Reported: the median per N ("return_<variant>", "total_<variant>", n = N, ns per fork) and the
 * slopes ("slope_return_<variant>", "slope_total_<variant>", n = 0, ns per VMA).
 */
#include "vmas.h"
#include <sys/wait.h>

/* One fork: the child exits at once. Fills ret (until fork returns) and total (after waitpid). */
static void one_fork(double *ret, double *total)
{
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	uint64_t t1 = now_ns();
	if (pid < 0) {
		perror("forkvma: fork");
		exit(1);
	}
	int status;
	waitpid(pid, &status, 0);
	uint64_t t2 = now_ns();
	*ret = (double)(t1 - t0);
	*total = (double)(t2 - t0);
}

int main(int argc, char **argv)
{
	int full = full_mode(argc, argv);
	static const long quick_sizes[] = { 0, 1000, 2000, 4000 };
	static const long full_sizes[] = { 0, 1000, 2000, 4000, 8000, 16000 };
	const long *sizes = full ? full_sizes : quick_sizes;
	int nsizes = full ? 6 : 4;
	int samples = full ? 11 : 5;
	double xs[6], yr[6], yt[6], r[11], t[11];

	for (int dirty = 0; dirty <= 1; dirty++) {
		const char *variant = dirty ? "dirty" : "untouched";
		for (int s = 0; s < nsizes; s++) {
			long n = sizes[s];
			long before = count_vmas();
			char *base = map_vmas(n, dirty);
			long added = count_vmas() - before;
			if (added < n) {
				fprintf(stderr, "forkvma: expected at least %ld new VMAs, got %ld\n", n, added);
				exit(1);
			}
			one_fork(&r[0], &t[0]); /* warm-up */
			for (int k = 0; k < samples; k++)
				one_fork(&r[k], &t[k]);
			xs[s] = (double)n;
			yr[s] = median(r, samples);
			yt[s] = median(t, samples);
			char op[64];
			snprintf(op, sizeof(op), "return_%s", variant);
			emit("fork", op, n, yr[s], samples);
			snprintf(op, sizeof(op), "total_%s", variant);
			emit("fork", op, n, yt[s], samples);
			unmap_vmas(base, n);
		}
		char op[64];
		snprintf(op, sizeof(op), "slope_return_%s", variant);
		emit("fork", op, 0, slope(xs, yr, nsizes), samples);
		snprintf(op, sizeof(op), "slope_total_%s", variant);
		emit("fork", op, 0, slope(xs, yt, nsizes), samples);
	}
	return 0;
}
