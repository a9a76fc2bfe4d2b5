/*
 * Native anchor: a red-black tree of 200-byte nodes built with the BSD <sys/tree.h> macros
 * (Debian's libbsd-dev), the C counterpart of RbTreeBench.
 *
 * Node: laid out like the vm_area_struct of RbTreeBench (200 bytes in 5.12): the key (vm_start) at
 * offset 0, the RB_ENTRY links at offset 32 where vm_rb sits, payload up to 200 bytes. The same
 * offsets put the key and the links on the same cache lines as in the Java benchmark, so the two
 * walk the same number of lines per node.
 *
 * Ops, each reported in ns per node (per lookup for find):
 *   insert_ascending  insert keys 0..N-1 in order into an empty tree
 *   insert_random     insert the same nodes in a random order; up to N = 1e4 the repetitions rotate
 *                     through ORDERS shuffles, or the branch predictor learns the one sequence
 *                     (a 1e3 build repeated in one order runs about 4x faster)
 *   find_random       look up random present keys
 *   traverse          in-order walk (RB_FOREACH) summing the keys
 *   erase_random      erase every node in a random order
 *   clone             walk in order; for each node malloc(200) + memcpy + insert into a new tree
 *                     (what dup_mmap does per VMA, minus the kernel's bookkeeping)
 */
#include "common.h"
#include <assert.h>
#include <stddef.h>
/* The tree macros mark static functions __unused, which libbsd leaves undefined (it clashes with a
 * struct member name in glibc headers we do not include here). */
#define __unused __attribute__((__unused__))
#include <bsd/sys/tree.h>

#define NODE_SIZE 200

struct node {
	long key; /* offset 0: vm_start */
	long vm_end, vm_next, vm_prev; /* offsets 8-31, as in vm_area_struct */
	RB_ENTRY(node) entry; /* offset 32: vm_rb */
	char payload[NODE_SIZE - 4 * sizeof(long) - sizeof(struct { void *a, *b, *c; int d; })];
};

_Static_assert(sizeof(struct node) == NODE_SIZE, "a node is 200 bytes, like a vm_area_struct");
_Static_assert(offsetof(struct node, entry) == 32, "the links sit where vm_rb does");

static int node_cmp(struct node *a, struct node *b)
{
	return (a->key > b->key) - (a->key < b->key);
}

RB_HEAD(tree, node);
RB_GENERATE_STATIC(tree, node, entry, node_cmp)

static struct node **nodes; /* nodes[i]->key == i, each from its own malloc, as slab objects would be */
#define ORDERS 16          /* insertion orders rotated through at N <= 1e4 */
static long *orders;        /* norders shuffled permutations of 0..N-1, one after another */
static long norders;
static long *order;         /* the current one */
static long *queries;       /* random keys to find */

/* Builds the tree in the next of the rotated orders. */
static void build_random(struct tree *t, long n)
{
	static long next;
	order = orders + (next++ % norders) * n;
	RB_INIT(t);
	for (long i = 0; i < n; i++)
		RB_INSERT(tree, t, nodes[order[i]]);
}

/* How many times to repeat an N-node pass so that a sample is long enough to time. */
static long reps_for(long n, int full)
{
	long target = full ? 2000000 : 300000;
	long r = target / n;
	return r < 1 ? 1 : r;
}

static void run(long n, int full)
{
	int samples = full ? 7 : (n >= 1000000 ? 1 : 3);
	long reps = reps_for(n, full);
	long nq = n < 100000 ? 100000 : n;
	if (!full && nq > 200000)
		nq = 200000;
	double s[7];
	struct tree t, c;

	nodes = malloc(sizeof(*nodes) * (size_t)n);
	norders = n <= 10000 ? ORDERS : 1;
	orders = malloc(sizeof(*orders) * (size_t)(n * norders));
	queries = malloc(sizeof(*queries) * (size_t)nq);
	for (long i = 0; i < n; i++) {
		nodes[i] = malloc(NODE_SIZE);
		memset(nodes[i], 0, NODE_SIZE);
		nodes[i]->key = i;
		for (long k = 0; k < norders; k++)
			orders[k * n + i] = i;
	}
	for (long k = 0; k < norders; k++)
		shuffle(orders + k * n, n);
	for (long i = 0; i < nq; i++)
		queries[i] = (long)(rng_next() % (uint64_t)n);

	for (int k = 0; k < samples; k++) {
		uint64_t t0 = now_ns();
		for (long r = 0; r < reps; r++) {
			RB_INIT(&t);
			for (long i = 0; i < n; i++)
				RB_INSERT(tree, &t, nodes[i]);
			CLOBBER();
		}
		s[k] = (double)(now_ns() - t0) / ((double)reps * n);
	}
	emit("rbtree", "insert_ascending", n, median(s, samples), samples);

	for (int k = 0; k < samples; k++) {
		uint64_t t0 = now_ns();
		for (long r = 0; r < reps; r++) {
			build_random(&t, n);
			CLOBBER();
		}
		s[k] = (double)(now_ns() - t0) / ((double)reps * n);
	}
	emit("rbtree", "insert_random", n, median(s, samples), samples);

	/* The tree from the last random build stays for find, traverse and clone. */
	for (int k = 0; k < samples; k++) {
		struct node probe;
		long found = 0;
		uint64_t t0 = now_ns();
		for (long i = 0; i < nq; i++) {
			probe.key = queries[i];
			found += RB_FIND(tree, &t, &probe) != NULL;
		}
		s[k] = (double)(now_ns() - t0) / (double)nq;
		if (found != nq) {
			fprintf(stderr, "rbtree: find lost keys (%ld of %ld)\n", found, nq);
			exit(1);
		}
	}
	emit("rbtree", "find_random", n, median(s, samples), samples);

	for (int k = 0; k < samples; k++) {
		long sum = 0;
		struct node *x;
		uint64_t t0 = now_ns();
		for (long r = 0; r < reps; r++) {
			RB_FOREACH(x, tree, &t)
				sum += x->key;
			KEEP(sum);
		}
		s[k] = (double)(now_ns() - t0) / ((double)reps * n);
		if (sum != reps * (n * (n - 1) / 2)) {
			fprintf(stderr, "rbtree: traverse sum is wrong\n");
			exit(1);
		}
	}
	emit("rbtree", "traverse", n, median(s, samples), samples);

	for (int k = 0; k < samples; k++) {
		struct node *x, *y;
		uint64_t t0 = now_ns();
		RB_INIT(&c);
		RB_FOREACH(x, tree, &t) {
			y = malloc(NODE_SIZE);
			memcpy(y, x, NODE_SIZE);
			RB_INSERT(tree, &c, y);
		}
		s[k] = (double)(now_ns() - t0) / (double)n;
		/* Free the clone outside the timed part. */
		while ((x = RB_MIN(tree, &c)) != NULL) {
			RB_REMOVE(tree, &c, x);
			free(x);
		}
	}
	emit("rbtree", "clone", n, median(s, samples), samples);

	/* Erase consumes the tree, so each repetition rebuilds it untimed. */
	long ereps = reps > 20 ? 20 : reps;
	for (int k = 0; k < samples; k++) {
		uint64_t total = 0;
		for (long r = 0; r < ereps; r++) {
			build_random(&t, n);
			shuffle(order, n);
			uint64_t t0 = now_ns();
			for (long i = 0; i < n; i++)
				RB_REMOVE(tree, &t, nodes[order[i]]);
			total += now_ns() - t0;
			if (!RB_EMPTY(&t)) {
				fprintf(stderr, "rbtree: tree not empty after erasing every node\n");
				exit(1);
			}
		}
		s[k] = (double)total / ((double)ereps * n);
	}
	emit("rbtree", "erase_random", n, median(s, samples), samples);

	for (long i = 0; i < n; i++)
		free(nodes[i]);
	free(nodes);
	free(orders);
	free(queries);
}

int main(int argc, char **argv)
{
	int full = full_mode(argc, argv);
	static const long sizes[] = { 1000, 10000, 100000, 1000000 };
	unsigned count = smoke_mode(argc, argv) ? 2 : sizeof(sizes) / sizeof(sizes[0]);
	for (unsigned i = 0; i < count; i++)
		run(sizes[i], full);
	return 0;
}
