/* fuzz.h — what the libFuzzer harnesses of tests/fuzz/ share (fuzz.c).
 *
 * Each harness NAME.c defines LLVMFuzzerTestOneInput and is linked with
 * fuzz.c and the project's objects built by clang with
 * -fsanitize=fuzzer-no-link,address,undefined (see the Makefile's fuzz
 * section and tests/fuzz/run). IXP_FUZZ_ROOT (set by the Makefile) is a
 * folder under build/fuzz/ holding copies of the example data files, the
 * example extern libraries and the shared record: the only files a fuzzed
 * program may name. */
#ifndef IXP_FUZZ_H
#define IXP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef IXP_FUZZ_ROOT
#error "IXP_FUZZ_ROOT must name the fuzzing root folder (the Makefile sets it)"
#endif

/* Where reports go: /dev/null, or stderr when IXP_FUZZ_VERBOSE is set
 * (to see what a crashing input says before it crashes). */
FILE *ixp_fuzz_sink(void);

/* The path of an in-memory file (a memfd, read through /proc/self/fd)
 * holding exactly data[0..size): the readers take paths, and the harness
 * writes nothing to disk. The same path is reused by every call. */
const char *ixp_fuzz_file(const uint8_t *data, size_t size);

/* One thread for OpenMP and BLIS: inputs run one at a time, and a
 * harness must not compete with the rest of the machine for cores. */
void ixp_fuzz_one_thread(void);

#endif
