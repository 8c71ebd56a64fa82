import Foundation

/// RFC 3339 times as AICert's documents and options write them, always in UTC.
public enum RFC3339 {
    /// `2026-11-25T07:40:00Z`, with or without fractional seconds, or with an offset.
    public static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `2026-11-25T07:40:00Z`, or `2026-11-25T07:40:00.123Z` with `milliseconds`.
    public static func string(from date: Date, milliseconds: Bool = false) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        if milliseconds { formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds] }
        return formatter.string(from: date)
    }
}
