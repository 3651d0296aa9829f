import DemilgeCore
import Fluent
import Foundation

/// Issue 4's demo: participatory budgeting in Манас-Ата with projects drawn from the seeds'
/// initiatives (street lighting, benches and bins, a women's gym, a children's dance studio, a park).
/// A published round whose ballots came from two village meetings (paper, entered twice) and one
/// resident online, where greedy and equal shares disagree; and a knapsack round open for voting.
enum BudgetingDemo {
    static let publishedTitle = "Манас-Ата: эл тандаган долбоорлор 2026"
    static let openTitle = "Манас-Ата: жаштар жана балдар үчүн 2027"
    /// Why the commission chose equal shares for the published round, as its rule page records it.
    static let ruleReason = "Комиссия эки эрежени салыштырды: көп добуш эрежеси бардык акчаны мектептеги чоң жыйындын долбоорлоруна берип, "
        + "аялдар жыйынына эч нерсе калтырмак. Тең үлүштөр ыкмасы ар бир жыйынга өз үлүшүн берет, ошондуктан ал тандалды."

    struct ProjectSeed { let title: String; let description: String; let som: Int64; let problem: String? }

    static let projects: [ProjectSeed] = [
        .init(title: "Көчө жарыгы", description: "Негизги көчөлөргө күн батареялуу 40 чырак орнотуу.", som: 620_000, problem: "Көчөлөр кечинде жарыктандырылбайт"),
        .init(title: "Отургучтар жана таштанды челектери", description: "Аялдамаларга жана мектептин жанына 20 отургуч жана 30 таштанды челеги.", som: 180_000, problem: "Таштанды өз убагында чыгарылбайт"),
        .init(title: "Аялдар үчүн спорт зал", description: "Маданият үйүндөгү бош бөлмөнү аялдар үчүн машыгуу залына айландыруу.", som: 450_000, problem: "Жаштар үчүн спорт аянтча жок"),
        .init(title: "Балдар бий студиясы", description: "Балдар үчүн бий студиясына күзгү, полду оңдоо жана үн аппаратурасы.", som: 240_000, problem: nil),
        .init(title: "Сейил бак", description: "Конуштун борборунда бак тигүү, жолчолор жана балдар аянтчасы.", som: 700_000, problem: nil),
    ]

    static func load(on db: any Database) async throws -> Int {
        guard let territory = try await Territory.query(on: db).filter(\.$code == "KG-GO-manas-ata").first(), let territoryID = territory.id else { return 0 }
        if try await BudgetRound.query(on: db).filter(\.$title == publishedTitle).first() != nil { return 0 }
        let today = Day.today()
        let year = today.year
        let published = try await round(publishedTitle, territoryID, type: .approval, rule: .mesCostSatAddOneGreedy, envelope: 1_500_000,
                                        status: .published, window: (try Day(stored: "\(year)-03-01"), try Day(stored: "\(year)-03-15")),
                                        reason: ruleReason, on: db)
        let ids = try await addProjects(to: published, on: db)
        // Meeting 1: families who want the street lit, a park and benches; meeting 2: women and
        // parents who want the gym and the dance studio. Greedy gives the first group everything.
        let first = Array(repeating: "1, 2, 5", count: 26) + Array(repeating: "1, 5", count: 8) + Array(repeating: "2, 5", count: 4)
        let second = Array(repeating: "3, 4", count: 14) + Array(repeating: "3, 4, 2", count: 5) + Array(repeating: "3", count: 2)
        try await paperBatch(published, ids, label: "Манас-Ата, мектептеги жыйын, \(year)-03-08", lines: first, on: db)
        try await paperBatch(published, ids, label: "Манас-Ата, маданият үйүндөгү аялдар жыйыны, \(year)-03-10", lines: second, on: db)
        if let resident = try await User.query(on: db).filter(\.$email == "resident.manas-ata@demilge.kg").first() {
            let ballot = BudgetBallot(roundID: (try published.requireID()), voterID: (try resident.requireID()), channel: .online)
            try await ballot.create(on: db)
            for index in [0, 2] { try await BallotChoiceRecord(ballotID: (try ballot.requireID()), projectID: ids[index], points: 1).create(on: db) }
        }

        let open = try await round(openTitle, territoryID, type: .knapsack, rule: .mesCostSatAddOneGreedy, envelope: 900_000,
                                   status: .voting, window: (today.adding(days: -7), today.adding(days: 60)), on: db)
        _ = try await addProjects(to: open, on: db, only: [1, 2, 3])
        return 2
    }

    private static func round(_ title: String, _ territoryID: UUID, type: BallotType, rule: BudgetingRule, envelope som: Int64,
                              status: RoundStatus, window: (Day, Day), reason: String? = nil, on db: any Database) async throws -> BudgetRound {
        let round = BudgetRound(territoryID: territoryID, title: title,
                                description: "Шаардык бюджеттен Манас-Ата конушуна бөлүнгөн каражатты тургундар өздөрү бөлүштүрөт. Долбоорлор ЖМБА-сессиясында аныкталган артыкчылыктуу көйгөйлөрдөн чыккан.",
                                envelopeTyiyn: som * 100, type: type, rule: rule, status: status, window: window,
                                eligibility: .selfDeclared)
        round.ruleReason = reason
        try await round.create(on: db)
        try await AuditLog.record(on: db, by: DemoData.actor, action: "round.create", entityType: "round", entityID: round.idString, after: round.snapshot)
        return round
    }

    private static func addProjects(to round: BudgetRound, on db: any Database, only: [Int]? = nil) async throws -> [UUID] {
        var ids: [UUID] = []
        for (position, index) in (only ?? Array(projects.indices)).enumerated() {
            let seed = projects[index]
            let project = BudgetProject()
            project.$round.id = (try round.requireID())
            project.code = String(position + 1)
            project.title = seed.title
            project.description = seed.description
            project.costTyiyn = seed.som * 100
            try await project.create(on: db)
            if let title = seed.problem, let problem = try await Problem.query(on: db).filter(\.$title == title).first() {
                try await project.$problems.attach(problem, on: db)
            }
            ids.append((try project.requireID()))
        }
        return ids
    }

    /// A batch entered twice, identically, and therefore counted.
    private static func paperBatch(_ round: BudgetRound, _ ids: [UUID], label: String, lines: [String], on db: any Database) async throws {
        let text = lines.joined(separator: "\n")
        let batch = PaperBatch()
        batch.$round.id = (try round.requireID())
        batch.label = label
        batch.firstEntry = text
        batch.secondEntry = text
        batch.status = .counted
        batch.version = 2
        try await batch.create(on: db)
        for line in lines {
            let ballot = BudgetBallot(roundID: (try round.requireID()), voterID: nil, channel: .paper, batchID: (try batch.requireID()))
            try await ballot.create(on: db)
            for code in line.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                try await BallotChoiceRecord(ballotID: (try ballot.requireID()), projectID: ids[code - 1], points: 1).create(on: db)
            }
        }
        try await AuditLog.record(on: db, by: DemoData.actor, action: "paper.counted", entityType: "round", entityID: round.idString,
                                  after: ["batch": batch.idString, "ballots": String(lines.count)])
    }
}
