import CarbonConfig
import CarbonCache

/// What the writer needs for a metric it has no file handle for yet: the file's path and, if
/// the file must be created, its layout. Replaced as a whole when the rules are reloaded.
public struct StorageLayout: Sendable {
    /// Absolute path of the metric's file; throws for names that must not become paths.
    public var path: @Sendable (String) throws -> String
    /// Layout for a new file (storage-schemas.conf + storage-aggregation.conf).
    public var newFile: @Sendable (String) -> NewFileLayout

    public init(path: @escaping @Sendable (String) throws -> String, newFile: @escaping @Sendable (String) -> NewFileLayout) {
        self.path = path
        self.newFile = newFile
    }
}
