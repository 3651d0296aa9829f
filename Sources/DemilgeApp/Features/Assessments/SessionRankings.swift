import DemilgeCore
import Fluent
import Vapor

/// What a session's focus groups ranked, ready for the community's priority list.
enum SessionRankings {
    /// The aggregation's input: each group's places, merged duplicates counted as the problem they joined.
    static func load(_ session: AssessmentSession, on db: any Database, _ req: Request) async throws -> (rankings: [GroupRanking<UUID>], problems: [UUID: Problem]) {
        let ids = Set(session.groups.flatMap { $0.rankings.map(\.$problem.id) })
        var problems = Dictionary(firstValues: try await Problem.query(on: db).filter(\.$id ~~ Array(ids)).all().compactMap { p in p.id.map { ($0, p) } })
        let mergedTargets = Set(problems.values.compactMap { $0.$mergedInto.id }).subtracting(problems.keys)
        for target in try await Problem.query(on: db).filter(\.$id ~~ Array(mergedTargets)).all() { if let id = target.id { problems[id] = target } }
        let rankings = session.groups.filter { !$0.rankings.isEmpty }.map { group in
            var places: [UUID: Int] = [:]
            for ranking in group.rankings {
                let id = problems[ranking.$problem.id]?.$mergedInto.id ?? ranking.$problem.id
                places[id] = min(places[id] ?? .max, ranking.place)
            }
            return GroupRanking(group: group.id?.uuidString ?? "", places: places)
        }
        return (rankings, problems)
    }

    /// The community's priority list, or nil while no group has ranked anything. Any other refusal of the
    /// aggregation (a `PrioritizationError`: too many groups, a number too large to weigh exactly…) is returned, to be
    /// said, never shown as "no rankings".
    static func priorities(_ rankings: [GroupRanking<UUID>]) -> Result<PriorityList<UUID>?, PrioritizationError> {
        do { return .success(try Prioritization.aggregate(rankings)) }
        catch .noGroups { return .success(nil) }
        catch { return .failure(error) }
    }
}
