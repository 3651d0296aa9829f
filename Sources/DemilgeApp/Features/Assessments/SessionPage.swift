import DemilgeCore
import Fluent
import Vapor

/// A needs-assessment session's page: its focus groups by sex and age, each group's ranking, and the combined
/// priorities with where the groups disagree.
struct SessionPage: Encodable {
    struct GroupView: Encodable {
        let id: String
        let name: String
        let participants: Int
        let women: Int
        let men: Int
        let ranked: Int
        let list: [String]
    }
    struct Cell: Encodable { let place: String; let top: Bool }
    struct Line: Encodable {
        let rank: Int
        let problemID: String
        let title: String
        let points: String
        let groups: Int
        let disagreement: Bool
        let onlyOneGroup: Bool
        let cells: [Cell]
    }
    struct ParticipantRow: Encodable { let label: String; let cells: [Int]; let total: Int }
    let session: SessionRow
    let facilitators: String
    let notes: String
    let path: [TerritoryLink]
    let groups: [GroupView]
    let participants: [ParticipantRow]
    let bands: [String]
    let lines: [Line]
    let hasPriorities: Bool
    /// Why the priorities cannot be shown, when the groups' rankings cannot be aggregated.
    let prioritiesProblem: String?
    let canRecord: Bool
    let kinds: [Option]
    let form: FormState

    static func build(_ req: Request, _ session: AssessmentSession, form: FormState) async throws -> SessionPage {
        let directory = try await req.territoryDirectory()
        let (rankings, problems) = try await SessionRankings.load(session, on: req.db, req)
        let aggregated = SessionRankings.priorities(rankings)
        let list = (try? aggregated.get()) ?? nil
        let refusal: PrioritizationError? = if case .failure(let problem) = aggregated { problem } else { nil }
        let groups = session.groups
        let disagreements = Set(list?.disagreements ?? [])
        let lines: [Line] = list.map { list in list.entries.map { entry in
            .init(rank: entry.rank, problemID: entry.problem.uuidString.lowercased(), title: problems[entry.problem]?.title ?? "?",
                  points: list.points(entry).text, groups: entry.groupsRanking,
                  disagreement: disagreements.contains(entry.problem), onlyOneGroup: entry.groupsRanking == 1 && groups.count > 1,
                  cells: groups.map { group in
                      let place = group.id.flatMap { entry.places[$0.uuidString] }
                      return .init(place: place.map(String.init) ?? "—", top: (place ?? 99) <= 3)
                  })
        } } ?? []
        let total = groups.reduce(Participants()) { $0 + $1.participants }
        let participantRows = Sex.allCases.map { sex in
            ParticipantRow(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { total[sex, $0] }, total: total.total(sex))
        } + [ParticipantRow(label: req.t("assessments.total"), cells: AgeBand.allCases.map { total.total($0) }, total: total.total)]
        let target = try await TerritoryPath.target(session.$territory.id, req)
        return SessionPage(
            session: SessionRow.of(session, req), facilitators: session.facilitators, notes: session.notes,
            path: directory.path(to: session.territory).map { TerritoryLink($0, req.language, catalog: req.application.catalog) },
            groups: groups.map { group in
                let own = rankings.first { $0.group == group.id?.uuidString }
                return .init(id: group.idString, name: group.displayName(req), participants: group.participants.total,
                             women: group.participants.total(.female), men: group.participants.total(.male), ranked: group.rankings.count,
                             list: (own?.tiers ?? []).flatMap { tier in tier.map { problems[$0]?.title ?? "?" } })
            },
            participants: participantRows, bands: AgeBand.allCases.map { req.t($0.catalogKey) },
            lines: lines, hasPriorities: list != nil,
            prioritiesProblem: refusal.map { req.t($0.catalogKey) }, canRecord: req.can(.recordFieldWork, on: target),
            kinds: FocusGroupKind.allCases.map { .init(value: $0.rawValue, label: req.t($0.catalogKey), selected: $0.rawValue == form["kind"]) },
            form: form)
    }
}
