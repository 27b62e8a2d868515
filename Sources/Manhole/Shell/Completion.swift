/// What tab completion offers for the text before the cursor: words that replace its last
/// `replacing` characters.
struct Completion: Equatable {
    var replacing: Int
    var candidates: [String]

    static let none = Completion(replacing: 0, candidates: [])
}
