import CarbonConfig
import CarbonCache

extension StorageLayout {
    /// The layout carbon derives from its storage rules: paths under `dataDirectory`, archives
    /// from the first matching schema, xFilesFactor and method from the first matching
    /// aggregation rule. Rules match the normalised name.
    public init(schemas: StorageSchemas, aggregation: StorageAggregation, dataDirectory: String, hashTaggedNames: Bool) {
        self.init(
            path: { metric in
                try MetricPath.filePath(for: metric, dataDirectory: dataDirectory, hashTaggedNames: hashTaggedNames)
            },
            newFile: { metric in
                let policy = aggregation.match(metric)
                return NewFileLayout(archives: schemas.match(metric).archives, xFilesFactor: policy.xFilesFactor,
                                     aggregationMethod: policy.method)
            })
    }
}
