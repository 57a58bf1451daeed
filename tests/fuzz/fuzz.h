/* fuzz.h: the libFuzzer entry point, shared by the targets and the corpus replayer. */
#ifndef LC_FUZZ_H
#define LC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* LLVMFuzzerTestOneInput runs one input; data[0..size) is only read, and it returns 0.
 * A broken promise of the code under test aborts (so libFuzzer and the replayer see it). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
