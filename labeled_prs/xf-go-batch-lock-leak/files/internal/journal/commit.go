package journal

// Commit appends the staged entries and releases the lock taken by Begin.
func (j *Journal) Commit() {
	j.entries = append(j.entries, j.pending...)
	j.pending = j.pending[:0]
	j.mu.Unlock()
}
