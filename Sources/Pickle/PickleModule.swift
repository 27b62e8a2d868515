// Python pickle, data opcodes only. The codec lives in the files beside this one.
