import DemilgeCore
import Vapor

enum RoundNews {
    /// Who hears of the round's new stage: its voting opening reaches everyone living in its territory and everyone
    /// following a place in it or above it; its results and other stages reach those following the round (voters do).
    static func of(_ round: BudgetRound, _ req: Request) async throws -> (Notifier.News, Notifier.Audience) {
        let roundID = try round.requireID()
        let kind: NotificationKind = switch round.status {
        case .voting: .roundOpened
        case .published: .results
        default: .status
        }
        let news = Notifier.News(kind: kind, subject: .round, subjectID: roundID, title: round.title,
                                 detail: kind == .status ? round.status.catalogKey : "", actor: req.currentUser?.id)
        var audience = Notifier.Audience.followers(of: .round, roundID)
        if kind == .roundOpened {
            let directory = try await req.territoryDirectory()
            let subtree = directory.subtree(of: round.$territory.id)
            let above = directory.byID[round.$territory.id].map { directory.path(to: $0).compactMap(\.id) } ?? []
            audience.followers += Set(above).union(subtree).sorted { $0.uuidString < $1.uuidString }.map { (.territory, $0) }
            audience.residentsOf = subtree.sorted { $0.uuidString < $1.uuidString }
        }
        return (news, audience)
    }
}
