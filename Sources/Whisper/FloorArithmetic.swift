// Whisper is Python: `//` and `%` round toward negative infinity. Swift's `/` and `%` truncate
// toward zero, which maps intervals before an archive's base to the wrong slot.

@inline(__always)
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

@inline(__always)
func floorMod(_ a: Int, _ b: Int) -> Int {
    let r = a % b
    return (r != 0 && (r < 0) != (b < 0)) ? r + b : r
}

/// The start of the `step`-second interval holding `timestamp` (`t - t % step` in Python).
@inline(__always)
func alignDown(_ timestamp: Int, _ step: Int) -> Int { timestamp - floorMod(timestamp, step) }
