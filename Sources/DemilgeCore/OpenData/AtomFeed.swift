import Foundation

/// An Atom (RFC 4287) feed: what changed, newest first, for feed readers and other municipalities' sites.
public struct AtomFeed: Sendable {
    public struct Entry: Sendable {
        public let id: String
        public let title: String
        public let link: String
        public let updated: Date
        public let summary: String

        public init(id: String, title: String, link: String, updated: Date, summary: String) {
            self.id = id
            self.title = title
            self.link = link
            self.updated = updated
            self.summary = summary
        }
    }

    public let id: String
    public let title: String
    public let link: String
    public let language: String
    public let entries: [Entry]

    public init(id: String, title: String, link: String, language: String, entries: [Entry]) {
        self.id = id
        self.title = title
        self.link = link
        self.language = language
        self.entries = entries.sorted { $0.updated > $1.updated }
    }

    public var xml: String {
        var x = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        x += #"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\#(language)">"# + "\n"
        x += "  <id>\(IATI.escape(id))</id>\n  <title>\(IATI.escape(title))</title>\n"
        x += #"  <link rel="self" href="\#(IATI.escape(link))"/>"# + "\n"
        x += "  <updated>\(Self.timestamp(entries.first?.updated ?? Date(timeIntervalSince1970: 0)))</updated>\n"
        x += "  <author><name>Demilge</name></author>\n"
        for entry in entries {
            x += "  <entry>\n    <id>\(IATI.escape(entry.id))</id>\n    <title>\(IATI.escape(entry.title))</title>\n"
            x += #"    <link href="\#(IATI.escape(entry.link))"/>"# + "\n"
            x += "    <updated>\(Self.timestamp(entry.updated))</updated>\n"
            x += "    <summary>\(IATI.escape(entry.summary))</summary>\n  </entry>\n"
        }
        x += "</feed>\n"
        return x
    }

    static func timestamp(_ date: Date) -> String { Formatters.isoDateTime(date) }
}
