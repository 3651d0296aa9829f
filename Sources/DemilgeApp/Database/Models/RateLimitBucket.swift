import DemilgeCore
import Fluent
import Foundation

/// Counters for rate limits, in the database so every app instance shares them.
final class RateLimitBucket: Model, @unchecked Sendable {
    static let schema = "rate_limit_buckets"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "window_start") var windowStart: Int64
    @Field(key: "hits") var hits: Int
    init() {}
}
