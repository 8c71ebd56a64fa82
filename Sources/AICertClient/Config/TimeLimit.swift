/// `build.timeout`: whole seconds (`600`) or a duration of hours, minutes and seconds in that
/// order (`10m`, `1h30m`, `90s`), from one second to one week (the runner's limits).
enum TimeLimit {
    static let range = 1...604_800
    static let expected = "a number of seconds such as 600, or a duration such as 90s, 10m or 1h30m (at most one week)"

    /// The limit in seconds, or `nil` when `text` is not one.
    static func seconds(_ text: String) -> Int? {
        if let plain = Int(text) { return range.contains(plain) ? plain : nil }
        let units: [(Character, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var total = 0
        var next = 0
        var digits = ""
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                continue
            }
            // Each unit at most once, in order, after at least one digit.
            guard let index = units[next...].firstIndex(where: { $0.0 == character }), let value = Int(digits),
                digits.count <= 6
            else { return nil }
            total += value * units[index].1
            next = index + 1
            digits = ""
        }
        guard digits.isEmpty, next > 0, range.contains(total) else { return nil }
        return total
    }
}
