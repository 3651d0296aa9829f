import Foundation

/// IATI 2.03 activity XML for donors' open data: one activity per programme and per grant, the grant linked to its
/// programme, with commitments, disbursements and expenditure as transactions. The element order follows the
/// schema's sequence; the output is checked against the official schema in the tests.
public enum IATI {
    public static let reportingOrgRef = "KG-DEMILGE"

    public struct Text: Sendable {
        public let language: String
        public let text: String
        public init(_ language: String, _ text: String) {
            self.language = language
            self.text = text
        }
    }

    public struct Organisation: Sendable {
        /// 1 funding, 2 accountable, 3 extending, 4 implementing.
        public let role: Int
        public let ref: String?
        /// 10 government, 15 other public sector, 21–24 NGOs, 40 multilateral, … (IATI OrganisationType).
        public let type: Int?
        public let names: [Text]
        public init(role: Int, ref: String?, type: Int?, names: [Text]) {
            self.role = role
            self.ref = ref
            self.type = type
            self.names = names
        }
    }

    public enum TransactionType: Int, Sendable { case incomingFunds = 1, commitment = 2, disbursement = 3, expenditure = 4 }

    public struct Transaction: Sendable {
        public let type: TransactionType
        public let date: String
        public let minorUnits: Int64
        public let currency: String
        public let description: String?
        public let provider: String?
        public let receiver: String?
        public init(type: TransactionType, date: String, minorUnits: Int64, currency: String, description: String? = nil, provider: String? = nil, receiver: String? = nil) {
            self.type = type
            self.date = date
            self.minorUnits = minorUnits
            self.currency = currency
            self.description = description
            self.provider = provider
            self.receiver = receiver
        }
    }

    public struct Budget: Sendable {
        public let start: String, end: String, minorUnits: Int64, currency: String
        public init(start: String, end: String, minorUnits: Int64, currency: String) {
            self.start = start
            self.end = end
            self.minorUnits = minorUnits
            self.currency = currency
        }
    }

    public struct Activity: Sendable {
        public var identifier: String
        public var hierarchy: Int
        public var lastUpdated: Date
        public var titles: [Text]
        public var descriptions: [Text]
        public var organisations: [Organisation]
        /// 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended.
        public var status: Int
        /// (type, date): 1 planned start, 2 actual start, 3 planned end, 4 actual end.
        public var dates: [(Int, String)]
        public var locations: [Text]
        /// DAC 5-digit purpose codes, with their share in percent.
        public var sectors: [(code: String, percentage: Int)]
        public var budgets: [Budget]
        public var transactions: [Transaction]
        public var parent: String?
        public var children: [String]
        public var documentLink: String?

        public init(identifier: String, hierarchy: Int, lastUpdated: Date, titles: [Text]) {
            self.identifier = identifier
            self.hierarchy = hierarchy
            self.lastUpdated = lastUpdated
            self.titles = titles
            descriptions = []
            organisations = []
            status = 2
            dates = []
            locations = []
            sectors = []
            budgets = []
            transactions = []
            parent = nil
            children = []
            documentLink = nil
        }
    }

    public static func document(_ activities: [Activity], generated: Date) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<iati-activities version="2.03" generated-datetime="\#(dateTime(generated))">"# + "\n"
        for activity in activities { xml += write(activity) }
        xml += "</iati-activities>\n"
        return xml
    }

    static func write(_ a: Activity) -> String {
        var x = #" <iati-activity last-updated-datetime="\#(dateTime(a.lastUpdated))" xml:lang="ky" default-currency="KGS" hierarchy="\#(a.hierarchy)">"# + "\n"
        x += "  <iati-identifier>\(escape(a.identifier))</iati-identifier>\n"
        x += #"  <reporting-org ref="\#(reportingOrgRef)" type="90">"# + narratives([Text("en", "Demilge open platform")]) + "</reporting-org>\n"
        x += "  <title>" + narratives(a.titles) + "</title>\n"
        if !a.descriptions.isEmpty { x += #"  <description type="1">"# + narratives(a.descriptions) + "</description>\n" }
        for org in a.organisations {
            var attributes = #"role="\#(org.role)""#
            if let ref = org.ref { attributes += #" ref="\#(escape(ref))""# }
            if let type = org.type { attributes += #" type="\#(type)""# }
            x += "  <participating-org \(attributes)>" + narratives(org.names) + "</participating-org>\n"
        }
        x += #"  <activity-status code="\#(a.status)"/>"# + "\n"
        for (type, date) in a.dates { x += #"  <activity-date type="\#(type)" iso-date="\#(date)"/>"# + "\n" }
        x += #"  <recipient-country code="KG" percentage="100"/>"# + "\n"
        for location in a.locations { x += "  <location><name>" + narratives([location]) + "</name></location>\n" }
        for sector in a.sectors { x += #"  <sector vocabulary="1" code="\#(sector.code)" percentage="\#(sector.percentage)"/>"# + "\n" }
        for budget in a.budgets {
            x += #"  <budget type="1" status="2"><period-start iso-date="\#(budget.start)"/><period-end iso-date="\#(budget.end)"/>"#
            x += #"<value currency="\#(budget.currency)" value-date="\#(budget.start)">\#(amount(budget.minorUnits))</value></budget>"# + "\n"
        }
        for t in a.transactions {
            x += #"  <transaction><transaction-type code="\#(t.type.rawValue)"/><transaction-date iso-date="\#(t.date)"/>"#
            x += #"<value currency="\#(t.currency)" value-date="\#(t.date)">\#(amount(t.minorUnits))</value>"#
            if let description = t.description { x += "<description>" + narratives([Text("ky", description)]) + "</description>" }
            if let provider = t.provider { x += "<provider-org>" + narratives([Text("ky", provider)]) + "</provider-org>" }
            if let receiver = t.receiver { x += "<receiver-org>" + narratives([Text("ky", receiver)]) + "</receiver-org>" }
            x += "</transaction>\n"
        }
        if let link = a.documentLink {
            x += #"  <document-link format="text/html" url="\#(escape(link))"><title>"# + narratives([Text("en", "Public page on Demilge")])
            x += #"</title><category code="A01"/><language code="ky"/></document-link>"# + "\n"
        }
        if let parent = a.parent { x += #"  <related-activity ref="\#(escape(parent))" type="1"/>"# + "\n" }
        for child in a.children { x += #"  <related-activity ref="\#(escape(child))" type="2"/>"# + "\n" }
        x += " </iati-activity>\n"
        return x
    }

    static func narratives(_ texts: [Text]) -> String {
        texts.filter { !$0.text.isEmpty }.map { #"<narrative xml:lang="\#($0.language)">\#(escape($0.text))</narrative>"# }.joined()
    }

    static func amount(_ minorUnits: Int64) -> String { Money(minorUnits: minorUnits).plain(.always) }

    static func dateTime(_ date: Date) -> String { Formatters.isoDateTime(date) }

    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // Control characters other than tab and line breaks are not allowed in XML 1.0.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
