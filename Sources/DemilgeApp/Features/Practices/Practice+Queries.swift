import DemilgeCore
import Fluent
import Foundation

extension Practice {
    /// Practices that solved the same kind of problem somewhere else ("municipalities that solved this").
    static func solvedElsewhere(_ category: ProblemCategory, notIn territoryID: UUID, on db: any Database) async throws -> [Practice] {
        try await query(on: db).filter(\.$theme == category).filter(\.$territory.$id != territoryID).with(\.$territory)
            .sort(\.$publishedOn, .descending).limit(5).all()
    }
}
