/// What tab completion offers for the text before the cursor: words that replace its last
/// `replacing` characters.
public struct Completion: Equatable, Sendable {
    public var replacing: Int
    public var candidates: [String]

    public static let none = Completion(replacing: 0, candidates: [])
}
