@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Every state-changing route × every role and scope, with the expected outcome written once below. The routes come
/// from the app's route table: a POST route missing from the table fails the test. "Allowed" means the request
/// reached the action (any answer but 401/403: the bodies are made to stop at validation, so allowed requests
/// mostly change nothing either); "refused" means 401, 403 or 404 and not one row changed.
@Suite("Authorization matrix: every state-changing route × every role")
struct AuthorizationMatrixTests {
    enum Who: String, CaseIterable, Sendable {
        case visitor = "signed out"
        case resident = "resident of Манас-Ата"
        case residentElsewhere = "resident of Гүлистан"
        case facilitator = "facilitator of Ош шаары"
        case facilitatorElsewhere = "facilitator of Ноокат"
        case staff = "municipal staff of Ош шаары"
        case staffElsewhere = "municipal staff of Ноокат"
        case monitor = "monitor of Ош шаары"
        case monitorElsewhere = "monitor of Ноокат"
        case manager = "manager of «Аракет»"
        case managerElsewhere = "manager of «Ынтымактуу Жашоо»"
        case reviewer = "reviewer of the call"
        case conflictedReviewer = "reviewer with a conflict"
        case applicant = "applicant owning the application"
        case otherApplicant = "applicant not owning it"
        case administrator = "administrator"

        var email: String? {
            switch self {
            case .visitor: nil
            case .resident: "resident.manas-ata@demilge.kg"
            case .residentElsewhere: "resident.gulistan@example.kg"
            case .facilitator: "facilitator.osh@example.kg"
            case .facilitatorElsewhere: "facilitator.nookat@demilge.kg"
            case .staff: "staff.osh@demilge.kg"
            case .staffElsewhere: "staff.nookat@example.kg"
            case .monitor: "monitor.osh@demilge.kg"
            case .monitorElsewhere: "monitor.nookat@example.kg"
            case .manager: "manager.araket@demilge.kg"
            case .managerElsewhere: "manager.alert@demilge.kg"
            case .reviewer: "reviewer.one@demilge.kg"
            case .conflictedReviewer: "reviewer.two@demilge.kg"
            case .applicant: "applicant.manas-ata@demilge.kg"
            case .otherApplicant: "applicant.cso@demilge.kg"
            case .administrator: "admin@demilge.kg"
            }
        }
    }

    /// The objects the requests are about: all in Манас-Ата (Ош шаары) and the «Аракет» programme.
    struct Scene: Sendable {
        var problem = "", comment = "", session = "", focusGroup = "", commission = "", measure = ""
        var group = "", requested = "", invited = "", votingRound = "", draftRound = "", batch = ""
        var openCall = "", draftCall = "", reviewCall = "", reviewed = "", delivered = "", milestone = ""
        var user = "", adminSelf = "", assignment = ""
    }

    struct Case: Sendable {
        let route: String
        let path: @Sendable (Scene) -> String
        let body: [(String, String)]
        let allowed: Set<Who>
        var multipart = false
    }

    static let everyone = Set(Who.allCases)
    static let signedIn = everyone.subtracting([.visitor])
    static let admin: Set<Who> = [.administrator]
    static let staffHere: Set<Who> = [.staff, .administrator]
    static let fieldHere: Set<Who> = [.facilitator, .staff, .administrator]
    static let managerHere: Set<Who> = [.manager, .administrator]
    static let groupManagers: Set<Who> = [.resident, .staff, .administrator]   // the group's coordinator is the Манас-Ата resident
    static let reviewers: Set<Who> = [.reviewer, .conflictedReviewer]

    static let cases: [Case] = [
        Case(route: "POST /problems", path: { _ in "/problems" }, body: [("territory", "KG-GO-manas-ata")], allowed: signedIn, multipart: true),
        Case(route: "POST /problems/:id/support", path: { "/problems/\($0.problem)/support" }, body: [], allowed: signedIn),
        Case(route: "POST /problems/:id/comments", path: { "/problems/\($0.problem)/comments" }, body: [("body", "")], allowed: signedIn),
        Case(route: "POST /problems/:id/status", path: { "/problems/\($0.problem)/status" }, body: [("to", "nonsense")], allowed: staffHere),
        Case(route: "POST /problems/:id/moderation", path: { "/problems/\($0.problem)/moderation" }, body: [("hide", "1")], allowed: admin),
        Case(route: "POST /problems/:id/comments/:comment/moderation", path: { "/problems/\($0.problem)/comments/\($0.comment)/moderation" },
             body: [("hide", "1")], allowed: admin),
        Case(route: "POST /problems/:id/merge", path: { "/problems/\($0.problem)/merge" }, body: [("into", "nonsense")], allowed: staffHere),
        Case(route: "POST /assessments", path: { _ in "/assessments" }, body: [("territory", "KG-GO-manas-ata"), ("held_on", "bad")], allowed: fieldHere),
        Case(route: "POST /assessments/:id/groups", path: { "/assessments/\($0.session)/groups" }, body: [("kind", "nonsense")], allowed: fieldHere),
        Case(route: "POST /assessments/:id/groups/:group/ranking", path: { "/assessments/\($0.session)/groups/\($0.focusGroup)/ranking" },
             body: [("new_title_1", "x")], allowed: fieldHere),
        Case(route: "POST /commissions", path: { _ in "/commissions" }, body: [("territory", "KG-GO-manas-ata")], allowed: fieldHere),
        Case(route: "POST /commissions/:id/members", path: { "/commissions/\($0.commission)/members" }, body: [], allowed: fieldHere),
        Case(route: "POST /commissions/:id/meetings", path: { "/commissions/\($0.commission)/meetings" }, body: [], allowed: fieldHere),
        Case(route: "POST /commissions/:id/measures", path: { "/commissions/\($0.commission)/measures" }, body: [], allowed: fieldHere),
        Case(route: "POST /commissions/:id/measures/:measure", path: { "/commissions/\($0.commission)/measures/\($0.measure)" },
             body: [("version", "0")], allowed: fieldHere),
        Case(route: "POST /groups", path: { _ in "/groups" }, body: [("territory", "KG-GO-manas-ata")], allowed: signedIn),
        Case(route: "POST /groups/:id/join", path: { "/groups/\($0.group)/join" }, body: [], allowed: signedIn),
        Case(route: "POST /groups/:id/accept", path: { "/groups/\($0.group)/accept" }, body: [], allowed: [.otherApplicant]),
        Case(route: "POST /groups/:id/invitations", path: { "/groups/\($0.group)/invitations" }, body: [("email", "nobody")], allowed: groupManagers),
        Case(route: "POST /groups/:id/members/:membership/approve", path: { "/groups/\($0.group)/members/\($0.requested)/approve" }, body: [],
             allowed: groupManagers),
        Case(route: "POST /groups/:id/members/:membership/remove", path: { "/groups/\($0.group)/members/\($0.invited)/remove" }, body: [],
             allowed: groupManagers),
        Case(route: "POST /rounds/import", path: { _ in "/rounds/import" }, body: [("territory", "KG-GO-manas-ata")], allowed: staffHere, multipart: true),
        Case(route: "POST /rounds", path: { _ in "/rounds" }, body: [("territory", "KG-GO-manas-ata")], allowed: staffHere),
        Case(route: "POST /rounds/:id/projects", path: { "/rounds/\($0.draftRound)/projects" }, body: [], allowed: staffHere),
        Case(route: "POST /rounds/:id/status", path: { "/rounds/\($0.draftRound)/status" }, body: [("version", "0")], allowed: staffHere),
        Case(route: "POST /rounds/:id/rule", path: { "/rounds/\($0.draftRound)/rule" }, body: [("version", "0")], allowed: staffHere),
        Case(route: "POST /rounds/:id/rule/compare", path: { "/rounds/\($0.draftRound)/rule/compare" }, body: [], allowed: staffHere, multipart: true),
        // Residents of the round's territory vote (the demo applicant for Манас-Ата lives there too); nobody else, not even an administrator.
        Case(route: "POST /rounds/:id/ballot", path: { "/rounds/\($0.votingRound)/ballot" }, body: [], allowed: [.resident, .applicant]),
        Case(route: "POST /rounds/:id/paper", path: { "/rounds/\($0.votingRound)/paper" }, body: [], allowed: fieldHere),
        Case(route: "POST /rounds/:id/paper/:batch", path: { "/rounds/\($0.votingRound)/paper/\($0.batch)" }, body: [("version", "0")], allowed: fieldHere),
        Case(route: "POST /rounds/:id/desk", path: { "/rounds/\($0.votingRound)/desk" }, body: [("pin", "")], allowed: fieldHere),
        Case(route: "POST /territories/:code/roll", path: { _ in "/territories/KG-GO/roll" }, body: [], allowed: staffHere, multipart: true),
        Case(route: "POST /territories/:code/roll/person", path: { _ in "/territories/KG-GO/roll/person" }, body: [("pin", "")], allowed: fieldHere),
        Case(route: "POST /grants", path: { _ in "/grants" }, body: [("programme", "araket")], allowed: managerHere),
        Case(route: "POST /grants/:call/edit", path: { "/grants/\($0.draftCall)/edit" }, body: [("programme", "araket")], allowed: managerHere),
        Case(route: "POST /grants/:call/status", path: { "/grants/\($0.draftCall)/status" }, body: [("status", "nonsense")], allowed: managerHere),
        Case(route: "POST /grants/:call/reviewers", path: { "/grants/\($0.draftCall)/reviewers" }, body: [("email", "nobody")], allowed: managerHere),
        Case(route: "POST /grants/:call/decide", path: { "/grants/\($0.draftCall)/decide" }, body: [("version", "0")], allowed: managerHere),
        Case(route: "POST /grants/:call/apply", path: { "/grants/\($0.openCall)/apply" }, body: [("organisation", "mta-manas-ata")], allowed: [.applicant]),
        Case(route: "POST /applications/:id", path: { "/applications/\($0.reviewed)" }, body: [("organisation", "mta-manas-ata")], allowed: [.applicant]),
        Case(route: "POST /applications/:id/status", path: { "/applications/\($0.reviewed)/status" }, body: [("to", "withdrawn"), ("version", "0")],
             allowed: [.applicant]),
        Case(route: "POST /grants/:call/conflicts", path: { "/grants/\($0.reviewCall)/conflicts" }, body: [], allowed: reviewers),
        Case(route: "POST /applications/:id/conflict", path: { "/applications/\($0.reviewed)/conflict" }, body: [("reason", "")], allowed: reviewers),
        Case(route: "POST /applications/:id/conflict/withdraw", path: { "/applications/\($0.reviewed)/conflict/withdraw" }, body: [("reason", "")],
             allowed: reviewers),
        Case(route: "POST /applications/:id/scores", path: { "/applications/\($0.reviewed)/scores" }, body: [], allowed: [.reviewer]),
        Case(route: "POST /applications/:id/contract", path: { "/applications/\($0.delivered)/contract" }, body: [], allowed: managerHere),
        Case(route: "POST /applications/:id/payments", path: { "/applications/\($0.delivered)/payments" }, body: [], allowed: managerHere),
        Case(route: "POST /applications/:id/milestones", path: { "/applications/\($0.delivered)/milestones" }, body: [],
             allowed: [.manager, .administrator, .applicant]),
        Case(route: "POST /applications/:id/milestones/:milestone", path: { "/applications/\($0.delivered)/milestones/\($0.milestone)" },
             body: [("version", "0")], allowed: [.manager, .administrator, .applicant]),
        Case(route: "POST /applications/:id/visits", path: { "/applications/\($0.delivered)/visits" }, body: [],
             allowed: [.monitor, .manager, .administrator], multipart: true),
        Case(route: "POST /applications/:id/report", path: { "/applications/\($0.delivered)/report" }, body: [], allowed: [.applicant]),
        Case(route: "POST /events", path: { _ in "/events" }, body: [("host", "KG-GO-manas-ata")], allowed: fieldHere),
        Case(route: "POST /practices", path: { _ in "/practices" }, body: [("territory", "KG-GO-manas-ata")], allowed: staffHere),
        Case(route: "POST /register", path: { _ in "/register" }, body: [], allowed: everyone),
        Case(route: "POST /signin", path: { _ in "/signin" }, body: [("email", "matrix.signin@example.kg"), ("password", "demilge-demo")], allowed: everyone),
        Case(route: "POST /signout", path: { _ in "/signout" }, body: [], allowed: everyone),
        Case(route: "POST /password/forgot", path: { _ in "/password/forgot" }, body: [], allowed: everyone),
        Case(route: "POST /password/reset", path: { _ in "/password/reset" }, body: [], allowed: everyone),
        Case(route: "POST /account/password", path: { _ in "/account/password" }, body: [], allowed: signedIn),
        Case(route: "POST /admin/users/:id/reset-code", path: { "/admin/users/\($0.user)/reset-code" }, body: [], allowed: admin),
        Case(route: "POST /password/code", path: { _ in "/password/code" }, body: [("code", "nope")], allowed: everyone),
        Case(route: "POST /account/verify", path: { _ in "/account/verify" }, body: [("pin", "")], allowed: signedIn),
        Case(route: "POST /account/confirm", path: { _ in "/account/confirm" }, body: [("token", "nope")], allowed: everyone),
        Case(route: "POST /account/confirm/resend", path: { _ in "/account/confirm/resend" }, body: [], allowed: signedIn),
        Case(route: "POST /follows", path: { _ in "/follows" }, body: [("subject", "territory"), ("id", UUID().uuidString), ("follow", "1")], allowed: signedIn),
        Case(route: "POST /account/notifications/read", path: { _ in "/account/notifications/read" }, body: [], allowed: signedIn),
        Case(route: "POST /account/notifications/settings", path: { _ in "/account/notifications/settings" }, body: [("status", "hourly")], allowed: signedIn),
        Case(route: "POST /unsubscribe/:token", path: { _ in "/unsubscribe/forged" }, body: [], allowed: everyone),
        Case(route: "POST /admin/outbox/:id/retry", path: { _ in "/admin/outbox/\(UUID())/retry" }, body: [], allowed: admin),
        Case(route: "POST /admin/users/:id/roles", path: { "/admin/users/\($0.user)/roles" }, body: [("role", "nonsense")], allowed: admin),
        Case(route: "POST /admin/users/:id/roles/:assignment/revoke", path: { "/admin/users/\($0.user)/roles/\($0.assignment)/revoke" }, body: [], allowed: admin),
        Case(route: "POST /admin/users/:id/status", path: { "/admin/users/\($0.adminSelf)/status" }, body: [("disabled", "1")], allowed: admin),
        Case(route: "POST /admin/territories", path: { _ in "/admin/territories" }, body: [], allowed: admin),
        Case(route: "POST /admin/territories/import", path: { _ in "/admin/territories/import" }, body: [("csv", "nonsense")], allowed: admin),
        Case(route: "POST /admin/territories/:code", path: { _ in "/admin/territories/KG-GO-manas-ata" }, body: [("version", "0")], allowed: admin),
        Case(route: "POST /admin/organisations", path: { _ in "/admin/organisations" }, body: [], allowed: admin),
        Case(route: "POST /admin/organisations/:slug", path: { _ in "/admin/organisations/mta-manas-ata" }, body: [("version", "0")], allowed: admin),
    ]

    /// The objects and the extra people of the scene.
    static func scene(_ app: Application) async throws -> Scene {
        var scene = Scene()
        let osh = try await territoryID(app, "KG-GO"), nookat = try await territoryID(app, "KG-O-nookat")
        try await makeUser(app, "resident.gulistan@example.kg", [RoleGrant(.resident, .territory(try await territoryID(app, "KG-O-nookat-gulistan")))])
        try await makeUser(app, "facilitator.osh@example.kg", [RoleGrant(.facilitator, .territory(osh))])
        try await makeUser(app, "staff.nookat@example.kg", [RoleGrant(.municipalStaff, .territory(nookat))])
        try await makeUser(app, "monitor.nookat@example.kg", [RoleGrant(.monitor, .territory(nookat))])
        try await makeUser(app, "matrix.signin@example.kg")
        let manasAta = try await territoryID(app, "KG-GO-manas-ata")
        let problem = try #require(try await Problem.query(on: app.db).filter(\.$territory.$id == manasAta).first())
        scene.problem = problem.idString
        let resident = try await Browser(app).signIn("resident.manas-ata@demilge.kg")
        try await resident.get("/problems/\(scene.problem)")
        #expect(try await resident.post("/problems/\(scene.problem)/comments", [("body", "Туура, суу жок")]).status == .seeOther)
        scene.comment = try #require(try await ProblemComment.query(on: app.db).filter(\.$problem.$id == problem.requireID()).first()).idString
        let session = try #require(try await AssessmentSession.query(on: app.db).filter(\.$territory.$id == manasAta).with(\.$groups).first())
        scene.session = session.idString
        scene.focusGroup = try #require(session.groups.first).idString
        let commission = try #require(try await Commission.query(on: app.db).filter(\.$territory.$id == manasAta).first())
        scene.commission = commission.idString
        scene.measure = try #require(try await ActionMeasure.query(on: app.db).filter(\.$commission.$id == commission.requireID()).first()).idString
        let group = try #require(try await InitiativeGroup.query(on: app.db).filter(\.$territory.$id == manasAta).first())
        scene.group = group.idString
        let elsewhere = try #require(try await User.query(on: app.db).filter(\.$email == "resident.gulistan@example.kg").first())
        let requested = GroupMembership(groupID: try group.requireID(), userID: try elsewhere.requireID(), sector: .citizen, status: .requested)
        try await requested.create(on: app.db)
        scene.requested = requested.idString
        let cso = try #require(try await User.query(on: app.db).filter(\.$email == "applicant.cso@demilge.kg").first())
        let invited = GroupMembership(groupID: try group.requireID(), userID: try cso.requireID(), sector: .citizen, status: .invited)
        try await invited.create(on: app.db)
        scene.invited = invited.idString
        let voting = try #require(try await BudgetRound.query(on: app.db).filter(\.$status == RoundStatus.voting).first())
        scene.votingRound = voting.idString
        let staff = try await Browser(app).signIn("staff.osh@demilge.kg")
        try await staff.get("/rounds/\(scene.votingRound)/paper")
        #expect(try await staff.post("/rounds/\(scene.votingRound)/paper", [("label", "Жыйын"), ("ballots", "1")]).status == .seeOther)
        scene.batch = try #require(try await PaperBatch.query(on: app.db).filter(\.$round.$id == voting.requireID()).first()).idString
        try await staff.get("/rounds/new")
        let round = try await staff.post("/rounds", [("title", "Каралама раунд"), ("territory", "KG-GO-manas-ata"), ("envelope", "100 000"),
                                                     ("ballot_type", "approval"), ("rule", "greedy_cost_sat"), ("opens_on", "2030-01-01"), ("closes_on", "2030-01-10")])
        scene.draftRound = String(try #require(round.location).split(separator: "/").last ?? "")
        let review = try await ListedDefectsTests.review(app)
        scene.reviewCall = String(review.call.split(separator: "/").last ?? "")
        scene.reviewed = String(review.city.split(separator: "/").last ?? "")
        let two = try await Browser(app).signIn("reviewer.two@demilge.kg")
        try await two.get("\(review.call)/review")
        #expect(try await two.post("\(review.call)/conflicts", [("conflict_\(scene.reviewed)", "on"), ("reason_\(scene.reviewed)", "туугандык")]).status == .seeOther)
        try await review.manager.get("/grants/new")
        let draft = try await review.manager.post("/grants", [
            ("programme", "araket"), ("title", "Каралама сынак"), ("budget", "700 000"), ("min_grant", "100 000"), ("max_grant", "650 000"),
            ("cofunding", "20"), ("kind_municipality", "on"), ("deadline", Day.today().adding(days: 20).description),
            ("criteria", CallTermsForm.defaultCriteria), ("minimum_score", "50")])
        scene.draftCall = String(try #require(draft.location).split(separator: "/").last ?? "")
        scene.openCall = try #require(try await GrantCall.query(on: app.db).filter(\.$title == GrantsDemo.openCallTitle).first()).idString
        let delivered = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
        scene.delivered = delivered.idString
        scene.milestone = try #require(try await GrantMilestone.query(on: app.db).filter(\.$application.$id == delivered.requireID()).first()).idString
        scene.user = try elsewhere.requireID().uuidString
        scene.assignment = try #require(try await RoleAssignment.query(on: app.db).filter(\.$user.$id == elsewhere.requireID()).first()).requireID().uuidString
        scene.adminSelf = try #require(try await User.query(on: app.db).filter(\.$email == "admin@demilge.kg").first()).requireID().uuidString
        return scene
    }

    /// A signed-in browser for each role (the visitor has a session, as after opening any form, so that CSRF passes
    /// and the refusal is the action's own).
    static func browsers(_ app: Application) async throws -> [Who: Browser] {
        // The harness signs in more often than one address may in a quarter of an hour.
        try await RateLimitBucket.query(on: app.db).delete()
        var browsers: [Who: Browser] = [:]
        for who in Who.allCases {
            let browser = Browser(app)
            if let email = who.email { try await browser.signIn(email) }
            // A page with a form, for this session's CSRF token.
            try await browser.get(who.email == nil ? "/signin" : "/account")
            browsers[who] = browser
        }
        return browsers
    }

    @Test("the table covers every state-changing route, every cell answers as the table says, and every change is audited")
    func matrix() async throws {
        try await withDemilge { app in
            let routes = Set(app.routes.all.filter { $0.method == .POST }.map { "POST \(RouteFixtures.pattern($0))" })
            let listed = Set(Self.cases.map(\.route))
            #expect(routes.subtracting(listed).isEmpty, "routes missing from the matrix: \(routes.subtracting(listed).sorted())")
            #expect(listed.subtracting(routes).isEmpty, "matrix rows for routes that do not exist: \(listed.subtracting(routes).sorted())")

            let scene = try await Self.scene(app)
            var browsers = try await Self.browsers(app)
            let tables = try await HostileInputTests.Rows.tables(app)
            var mismatches: [String] = []
            var cells = 0
            for entry in Self.cases {
                for who in Who.allCases {
                    guard let browser = browsers[who] else { continue }
                    cells += 1
                    let before = try await HostileInputTests.Rows.take(app, tables)
                    let writes = app.committedWrites
                    let auditedBefore = try await AuditEntry.query(on: app.db).count(), unaudited = app.unauditedWrites.count
                    let path = entry.path(scene)
                    let response = entry.multipart ? try await browser.postMultipart(path, entry.body) : try await browser.post(path, entry.body)
                    let code = response.status.code
                    if entry.allowed.contains(who) {
                        if code == 401 || code == 403 || code >= 500 { mismatches.append("\(entry.route) as \(who.rawValue): expected allowed, got \(code)") }
                        // Every change of data is audited: a success that added or removed rows, or committed a
                        // change through the route, wrote an audit entry in the same transaction.
                        let after = try await HostileInputTests.Rows.take(app, tables)
                        let audited = try await AuditEntry.query(on: app.db).count()
                        if audited == auditedBefore, after != before || app.unauditedWrites.count > unaudited {
                            mismatches.append("\(entry.route) as \(who.rawValue): changed data without an audit entry")
                        }
                    } else {
                        let after = try await HostileInputTests.Rows.take(app, tables)
                        if ![401, 403, 404].contains(code) { mismatches.append("\(entry.route) as \(who.rawValue): expected refused, got \(code)") }
                        else if after != before || app.committedWrites != writes { mismatches.append("\(entry.route) as \(who.rawValue): refused but data changed") }
                    }
                }
                // Signing in as someone else or out changes who each browser is: start again from the roles.
                if entry.route == "POST /signin" || entry.route == "POST /signout" { browsers = try await Self.browsers(app) }
            }
            print("authorization matrix: \(Self.cases.count) routes × \(Who.allCases.count) roles = \(cells) cells")
            #expect(mismatches.isEmpty, "\(mismatches.count) cells differ from the table:\n\(mismatches.joined(separator: "\n"))")
        }
    }
}
