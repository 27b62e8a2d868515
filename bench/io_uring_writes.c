/*
 * io_uring_writes.c - can io_uring batches make a whisper point update cheaper than the
 * synchronous openat + pwrite + close a writer makes when it cannot hold every file open?
 * (issue 17; results and how to run it: BENCHMARKS.md, "Steady state: io_uring").
 *
 * Files: DIR/cD/kJ.wsp for D in 0..3 (the layout `stoker-bench steady` prepares for
 * plaintext: one directory per connection), each a single-archive whisper file; an update
 * writes one 12-byte point into archive slot `pass % SLOTS` after the 28-byte header.
 * Updates go round-robin over every file, as a cache drained once per interval does.
 *
 *   sync   openat(directory, name) + pwrite + close, one file at a time
 *   uring  per batch of B files one io_uring_enter: for each file a linked chain of
 *          OPENAT into a direct (registered) descriptor slot, WRITE through it, CLOSE of the
 *          slot; completions of the first two skipped on success
 *
 * Reports updates/s, the process's CPU (every thread, io_uring's io-wq workers included:
 * getrusage RUSAGE_SELF) and updates per CPU-second: the figure that decides how many series
 * two cores can keep on disk.
 *
 * Build: cc -O2 -Wall -o /tmp/io_uring_writes bench/io_uring_writes.c
 * Run:   /tmp/io_uring_writes DIR sync|uring FILES SECONDS [BATCH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DIRECTORIES 4
#define HEADER 28
#define SLOTS 360

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r, unsigned entries)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -1;
	size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (cq_size > sq_size)
		sq_size = cq_size;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		return -1;
	char *sq = mmap(0, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(sq + p.cq_off.head);
	r->cq_tail = (unsigned *)(sq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(sq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
	return 0;
}

static struct io_uring_sqe *next_sqe(struct ring *r, unsigned *tail)
{
	unsigned index = *tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[index];
	memset(sqe, 0, sizeof *sqe);
	r->sq_array[index] = index;
	(*tail)++;
	return sqe;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s DIR sync|uring FILES SECONDS [BATCH]\n", argv[0]);
		return 2;
	}
	const char *base = argv[1], *mode = argv[2];
	long files = atol(argv[3]);
	double seconds = atof(argv[4]);
	int batch = argc > 5 ? atoi(argv[5]) : 64;
	long per_directory = files / DIRECTORIES;
	int directory[DIRECTORIES];
	char path[4096];
	for (int d = 0; d < DIRECTORIES; d++) {
		snprintf(path, sizeof path, "%s/c%d", base, d);
		directory[d] = open(path, O_RDONLY | O_DIRECTORY);
		if (directory[d] < 0) {
			perror(path);
			return 1;
		}
	}
	char (*names)[24] = malloc(per_directory * sizeof *names);
	for (long j = 0; j < per_directory; j++)
		snprintf(names[j], sizeof *names, "k%ld.wsp", j);
	char point[12] = { 0 };
	long done = 0, next = 0, pass = 0;
	double began = now(), cpu_began = cpu_seconds();

	if (!strcmp(mode, "sync")) {
		while (now() - began < seconds) {
			for (int k = 0; k < 1000; k++, done++) {
				long f = next++ % files;
				int fd = openat(directory[f % DIRECTORIES], names[f / DIRECTORIES], O_RDWR | O_CLOEXEC | O_NOATIME);
				if (fd < 0 || pwrite(fd, point, 12, HEADER + 12 * (pass % SLOTS)) != 12) {
					perror("openat/pwrite");
					return 1;
				}
				close(fd);
				if (next % files == 0)
					pass++;
			}
		}
	} else if (!strcmp(mode, "uring")) {
		struct ring r;
		if (ring_setup(&r, batch * 3) < 0) {
			perror("io_uring_setup");
			return 1;
		}
		struct io_uring_rsrc_register table = { .nr = batch, .flags = IORING_RSRC_REGISTER_SPARSE };
		if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_FILES2, &table, sizeof table) < 0) {
			perror("io_uring_register");
			return 1;
		}
		while (now() - began < seconds) {
			unsigned tail = *r.sq_tail;
			for (int k = 0; k < batch; k++) {
				long f = next++ % files;
				struct io_uring_sqe *open_op = next_sqe(&r, &tail);
				open_op->opcode = IORING_OP_OPENAT;
				open_op->fd = directory[f % DIRECTORIES];
				open_op->addr = (uintptr_t)names[f / DIRECTORIES];
				open_op->open_flags = O_RDWR | O_NOATIME; /* direct descriptors refuse O_CLOEXEC */
				open_op->file_index = k + 1;
				open_op->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
				struct io_uring_sqe *write_op = next_sqe(&r, &tail);
				write_op->opcode = IORING_OP_WRITE;
				write_op->fd = k;
				write_op->addr = (uintptr_t)point;
				write_op->len = 12;
				write_op->off = HEADER + 12 * (pass % SLOTS);
				write_op->flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
				struct io_uring_sqe *close_op = next_sqe(&r, &tail);
				close_op->opcode = IORING_OP_CLOSE;
				close_op->file_index = k + 1;
				close_op->user_data = 1;
				if (next % files == 0)
					pass++;
			}
			atomic_store_explicit((_Atomic unsigned *)r.sq_tail, tail, memory_order_release);
			if (syscall(__NR_io_uring_enter, r.fd, batch * 3, batch, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
				perror("io_uring_enter");
				return 1;
			}
			unsigned head = *r.cq_head;
			unsigned last = atomic_load_explicit((_Atomic unsigned *)r.cq_tail, memory_order_acquire);
			for (; head != last; head++) {
				struct io_uring_cqe *c = &r.cqes[head & *r.cq_mask];
				if (c->user_data != 1 || c->res < 0) {
					fprintf(stderr, "failed: %s\n", strerror(-c->res));
					return 1;
				}
			}
			atomic_store_explicit((_Atomic unsigned *)r.cq_head, head, memory_order_release);
			done += batch;
		}
	} else {
		fprintf(stderr, "mode must be sync or uring\n");
		return 2;
	}
	double elapsed = now() - began, cpu = cpu_seconds() - cpu_began;
	printf("%s files=%ld batch=%d: %.0f updates/s, %.2f cores, %.0f updates per CPU-second\n",
	       mode, files, !strcmp(mode, "sync") ? 1 : batch, done / elapsed, cpu / elapsed, done / cpu);
	return 0;
}
