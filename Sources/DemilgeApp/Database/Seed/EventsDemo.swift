import DemilgeCore
import Fluent
import Foundation

/// Issue 6's events: seed 003's three exchange visits in Osh oblast and seed 002's round table in Bishkek,
/// both under the «Элдин үнү» (VAP) programme. The sources give no breakdown of participants by sex and age,
/// and seed 003 gives no year; the notes say so.
enum EventsDemo {
    struct Seed {
        let kind: EventKind, title: String, host: String, heldOn: String, invited: [String], organiser: String, agenda: String, outcomes: String, note: String
    }

    static let visitAgenda = "Айылдык чогулушта айыл өкмөтүнүн адистери ЖМБА-сессияларын жана бардык курактагы жана жыныстагы топтордун фокус-топторун өткөрүүнүн жүрүшүн тургундарга айтып беришет; демилгелүү топтордун, биргелешкен мониторинг жана баалоо топторунун иши талкууланат."
    static let visitOutcomes = "Катышуучулар жамааттын артыкчылыктарын аныктоо жана аларды жергиликтүү бюджеттен чечүү тажрыйбасын иш жүзүндө көрүштү; коомдук иш-чараларды, маалымат өнөктүгүн уюштурууну Долбоордун консультанттары менен талкуулашты."
    static let visitNote = "Үч сапарга Ош облусунун жети районунун 41 муниципалитетинен 80ден ашуун өкүл катышты (seed 003); жынысы жана жашы боюнча маалымат жок; булак сапарлардын жылын көрсөтпөйт."

    static let seeds: [Seed] = [
        .init(kind: .exchangeVisit, title: "Тажрыйба алмашуу: Жазы айыл аймагы", host: "KG-O-ozgon-jazy", heldOn: "2019-11-21",
              invited: ["KG-O-ozgon", "KG-O-aravan", "KG-O-kara-kulja", "KG-O-kara-suu"], organiser: "dpi",
              agenda: visitAgenda, outcomes: visitOutcomes, note: "20дан ашуун айыл өкмөтү чакырылды. " + visitNote),
        .init(kind: .exchangeVisit, title: "Тажрыйба алмашуу: Гүлистан айыл аймагы", host: "KG-O-nookat-gulistan", heldOn: "2019-11-28",
              invited: ["KG-O-nookat", "KG-O-alay", "KG-O-kara-suu"], organiser: "dpi",
              agenda: visitAgenda, outcomes: visitOutcomes, note: "18ден ашуун айыл өкмөтү чакырылды. " + visitNote),
        .init(kind: .exchangeVisit, title: "Тажрыйба алмашуу: Чоң-Алай айыл аймагы", host: "KG-O-chong-alay-chong-alay", heldOn: "2019-11-30",
              invited: ["KG-O-chong-alay"], organiser: "dpi",
              agenda: visitAgenda, outcomes: visitOutcomes, note: "Райондун эки айыл өкмөтүнүн өкүлдөрү чакырылды. " + visitNote),
        .init(kind: .roundTable, title: "Тегерек стол: жергиликтүү демилгелерди ишке ашыруу механизмдери", host: "KG-GB", heldOn: "2022-02-21",
              invited: [], organiser: "union-of-lsg",
              agenda: "Жергиликтүү демилгелерди ишке ашыруу механизмдерин талкуулоо жана ишке ашкан тажрыйбаларды башка айыл өкмөттөргө, мэрияларга жайылтуу.",
              outcomes: "Пилоттук айыл өкмөттөрдүн демилгелери («Балдар үчүн бий студиясы», «Көчөлөрдү көрктөндүрүү», «Сейил бак» ж.б.) жана жергиликтүү демилгелер тууралуу жобо талкууланды.",
              note: "Булак катышуучулардын санын көрсөтпөйт (seed 002)."),
    ]

    static func load(on db: any Database) async throws -> Int {
        guard try await Event.query(on: db).count() == 0,
              let vap = try await Programme.query(on: db).filter(\.$slug == "vap").first() else { return 0 }
        var count = 0
        for seed in seeds {
            guard let host = try await Territory.query(on: db).filter(\.$code == seed.host).first() else { continue }
            let event = Event()
            event.kind = seed.kind
            event.title = seed.title
            event.$host.id = (try host.requireID())
            event.$organiser.id = try await Organisation.query(on: db).filter(\.$slug == seed.organiser).first()?.id
            event.$programme.id = vap.id
            event.heldOn = try Day(stored: seed.heldOn)
            event.agenda = seed.agenda
            event.outcomes = seed.outcomes
            event.participants = Participants()
            event.participantsNote = seed.note
            event.version = 1
            try await event.create(on: db)
            for code in seed.invited {
                guard let territory = try await Territory.query(on: db).filter(\.$code == code).first() else { continue }
                try await EventInvitation(eventID: (try event.requireID()), territoryID: (try territory.requireID())).create(on: db)
            }
            try await AuditLog.record(on: db, by: DemoData.actor, action: "event.create", entityType: "event", entityID: event.idString, after: event.snapshot)
            count += 1
        }
        return count
    }
}
