import DemilgeCore
import Fluent
import Foundation

final class ProgrammeRegion: Model, @unchecked Sendable {
    static let schema = "programme_regions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "programme_id") var programme: Programme
    @Parent(key: "territory_id") var territory: Territory
    init() {}
}
