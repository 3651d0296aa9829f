import Foundation

/// A grouped bar chart as standalone SVG, drawn on the server so it needs no script; the page shows the same numbers
/// in a table beside it. Values are non-negative integers (counts, or tyiyn shown through `label`).
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let values: [Int64]
        public init(name: String, values: [Int64]) {
            self.name = name
            self.values = values
        }
    }

    public let title: String
    public let categories: [String]
    public let series: [Series]

    public init(title: String, categories: [String], series: [Series]) {
        self.title = title
        self.categories = categories
        self.series = series
    }

    static let colours = ["#1f6f8b", "#e07a1f", "#5b8c3a", "#8a4f9e"]

    /// `label` writes a value as the reader reads it (a count, or сом).
    public func svg(label: (Int64) -> String) -> String {
        let width = 640, chartTop = 40, chartHeight = 220, left = 10, groupGap = 24
        let maximum = max(series.flatMap(\.values).max() ?? 0, 1)
        let groups = max(categories.count, 1)
        let groupWidth = (width - left * 2 - groupGap * (groups - 1)) / groups
        let barWidth = max(4, (groupWidth - 4 * (series.count - 1)) / max(series.count, 1))
        let height = chartTop + chartHeight + 40 + 20 * ((series.count + 2) / 3)
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)" role="img" aria-labelledby="t">"#
        svg += "<title id=\"t\">\(IATI.escape(title))</title>"
        svg += #"<style>text{font:12px sans-serif;fill:#222}.v{font-size:10px}</style>"#
        svg += #"<text x="\#(left)" y="20" style="font-weight:bold;font-size:14px">\#(IATI.escape(title))</text>"#
        for (g, category) in categories.enumerated() {
            let x0 = left + g * (groupWidth + groupGap)
            for (s, serie) in series.enumerated() {
                let value = g < serie.values.count ? serie.values[g] : 0
                let barHeight = Int((Double(value) / Double(maximum)) * Double(chartHeight - 16))
                let x = x0 + s * (barWidth + 4), y = chartTop + chartHeight - barHeight
                svg += #"<rect x="\#(x)" y="\#(y)" width="\#(barWidth)" height="\#(barHeight)" fill="\#(Self.colours[s % Self.colours.count])"><title>\#(IATI.escape("\(category), \(serie.name): \(label(value))"))</title></rect>"#
                svg += #"<text class="v" x="\#(x)" y="\#(y - 3)">\#(IATI.escape(label(value)))</text>"#
            }
            svg += #"<text x="\#(x0)" y="\#(chartTop + chartHeight + 16)">\#(IATI.escape(category))</text>"#
        }
        for (s, serie) in series.enumerated() {
            let x = left + (s % 3) * 210, y = chartTop + chartHeight + 40 + (s / 3) * 20
            svg += #"<rect x="\#(x)" y="\#(y - 10)" width="12" height="12" fill="\#(Self.colours[s % Self.colours.count])"/><text x="\#(x + 18)" y="\#(y)">\#(IATI.escape(serie.name))</text>"#
        }
        return svg + "</svg>\n"
    }
}
