import DemilgeCore
import Fluent
import Foundation

/// One place's own figures (`PlaceFigures` as JSON), keyed by the territory.
final class PlaceFiguresRecord: Model, @unchecked Sendable {
    static let schema = "place_figures"

    @ID(custom: "territory_id", generatedBy: .user) var id: UUID?
    @Field(key: "figures") var figures: JSONText<PlaceFigures>
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(place: UUID, figures: PlaceFigures) {
        id = place
        self.figures = JSONText(figures)
    }
}
