/*
 * A process with N more VMAs, for the fork anchors (forkvma.c, clone.c): N+2 pages mapped
 * PROT_NONE, the N inner pages given alternating protections (read-write, read-only), so no two
 * neighbours can merge: N VMAs between two PROT_NONE guards. Also a count of the process's VMAs and
 * a least-squares slope.
 */
#ifndef KFORK_ANCHOR_VMAS_H
#define KFORK_ANCHOR_VMAS_H

#include "common.h"
#include <sys/mman.h>
#include <unistd.h>

/* Maps the N VMAs (one written page in each when dirty); exits on failure. Unmap with unmap_vmas. */
static char *map_vmas(long n, int dirty)
{
	long page_size = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)(n + 2) * (size_t)page_size;
	char *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		perror("anchor: mmap");
		exit(1);
	}
	for (long i = 1; i <= n; i++) {
		char *page = base + i * page_size;
		if (mprotect(page, (size_t)page_size, PROT_READ | PROT_WRITE) != 0) {
			perror("anchor: mprotect");
			exit(1);
		}
		if (dirty)
			page[0] = 1;
		/* Odd pages end read-only, so each differs from both neighbours. */
		if ((i & 1) && mprotect(page, (size_t)page_size, PROT_READ) != 0) {
			perror("anchor: mprotect");
			exit(1);
		}
	}
	return base;
}

static void unmap_vmas(char *base, long n)
{
	munmap(base, (size_t)(n + 2) * (size_t)sysconf(_SC_PAGESIZE));
}

/* The lines of /proc/self/maps: the process's VMAs (the vsyscall page included), or -1. */
static long count_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long lines = 0;
	int c;
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		lines += c == '\n';
	fclose(f);
	return lines;
}

/* Least-squares slope of y over x. */
static double slope(const double *x, const double *y, int n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (int i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

#endif
