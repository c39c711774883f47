/// `1 chunk`, `2 chunks`, `0 files`: a count and its noun, in the singular for one. Every count the
/// CLI prints goes through this, so no line reads "1 chunks".
func counted(_ count: some BinaryInteger, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
