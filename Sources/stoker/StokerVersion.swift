/// The release this build is, shown by `stoker --version` and in the startup line. Raised by
/// hand at each release; operators compare it across a fleet.
enum StokerVersion {
    static let current = "0.5.0"
}
