import DemilgeCore
import Fluent
import SQLKit
import Vapor

/// Verified residents who took part in a round, by channel and by sex and age band (from `round_participations`).
struct RoundTurnout {
    var online = 0
    var paper = 0
    var table = Turnout()

    static func load(_ roundID: UUID, on db: any Database) async throws -> RoundTurnout {
        var turnout = RoundTurnout()
        guard let sql = db as? any SQLDatabase else { return turnout }
        struct Row: Decodable { let channel: String; let sex: String?; let age_band: String?; let count: Int }
        let rows = try await sql.select().column("channel").column("sex").column("age_band")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
            .from(RoundParticipation.schema).where("round_id", .equal, roundID)
            .groupBy("channel").groupBy("sex").groupBy("age_band").all(decoding: Row.self)
        for row in rows {
            if row.channel == RoundParticipation.Channel.paper.rawValue { turnout.paper += row.count } else { turnout.online += row.count }
            turnout.table.add(sex: row.sex.flatMap(Sex.init(rawValue:)), band: row.age_band.flatMap(AgeBand.init(rawValue:)), count: row.count)
        }
        return turnout
    }

    /// The table as a page shows it: one row per sex, one column per age band, small cells hidden.
    struct Row: Encodable { let label: String; let cells: [String]; let total: String }

    func rows(_ req: Request) -> [Row] {
        func shown(_ count: Int) -> String { Turnout.published(count).map(String.init) ?? req.t("turnout.fewer", ["count": String(Turnout.smallest)]) }
        return Sex.allCases.map { sex in
            Row(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { shown(table.counts[sex, $0]) }, total: shown(table.counts.total(sex)))
        }
    }
}
