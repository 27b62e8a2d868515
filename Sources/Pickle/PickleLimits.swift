/// Bounds the decoder enforces so that a hostile pickle (a "pickle bomb") costs at most a
/// small multiple of its own size in memory and time. The defaults admit anything
/// carbon-relay, carbon-c-relay or graphite-web send.
public struct PickleLimits: Sendable, Equatable {
    /// Deepest nesting of containers in the result (a scalar is depth 0, `[]` is 1,
    /// `[(1, 2)]` is 2), and most MARKs open at once. Decoding and freeing values recurse
    /// this deep, so keep it in the hundreds at most. Carbon's shapes need 3.
    public var maxDepth: Int
    /// Most distinct memo slots. Each PUT costs at least two input bytes anyway; this caps
    /// the hash table a sparse index pattern could build.
    public var maxMemoEntries: Int
    /// The element budget is `elementsPerInputByte × input length + minimumElements`. Every
    /// value counts once per place it appears in the result, so memo references (GET, DUP)
    /// cannot blow a few bytes up into billions of elements.
    public var elementsPerInputByte: Int
    /// Added to the per-byte budget so tiny pickles are never starved.
    public var minimumElements: Int
    /// Input bytes per list, dict or set the pickle may create (plus `minimumElements`).
    /// Senders' shapes use one or two containers in all; a pickle bomb of nested lists makes
    /// one per byte.
    public var inputBytesPerContainer: Int
    /// Most decimal digits in an INT/LONG text argument: converting decimal text to binary is
    /// quadratic, and CPython itself refuses more than 4300 digits since 3.11.
    public var maxDecimalDigits: Int

    public init(
        maxDepth: Int = 64,
        maxMemoEntries: Int = 1 << 20,
        elementsPerInputByte: Int = 4,
        minimumElements: Int = 1024,
        maxDecimalDigits: Int = 4300,
        inputBytesPerContainer: Int = 8
    ) {
        self.inputBytesPerContainer = inputBytesPerContainer
        self.maxDepth = maxDepth
        self.maxMemoEntries = maxMemoEntries
        self.elementsPerInputByte = elementsPerInputByte
        self.minimumElements = minimumElements
        self.maxDecimalDigits = maxDecimalDigits
    }

    /// The defaults above.
    public static let `default` = PickleLimits()

    /// How many lists, dicts and sets an input of `length` bytes may create.
    public func containerBudget(forInputLength length: Int) -> Int {
        max(0, length) / max(1, inputBytesPerContainer) + max(0, minimumElements)
    }

    /// The element budget for an input of `length` bytes; saturates rather than traps.
    public func elementBudget(forInputLength length: Int) -> Int {
        let (product, overflow) = max(0, elementsPerInputByte).multipliedReportingOverflow(by: max(0, length))
        if overflow { return Int.max }
        let (sum, overflow2) = product.addingReportingOverflow(max(0, minimumElements))
        return overflow2 ? Int.max : sum
    }
}
