// The declaration in include/CLibFuzzer.h is the whole module; the runtime is linked by Fuzz/run.
#include "CLibFuzzer.h"
