#ifndef STOKER_CLIBFUZZER_H
#define STOKER_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry for programs with their own main (LLVM >= 11). `Fuzz/run build` links
// libclang_rt.fuzzer_no_main: SwiftPM renames every executable's main, which clashes with
// the main that `-sanitize=fuzzer` would bring along.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
