package journal

import "sync"

// Journal appends entries; one batch at a time.
type Journal struct {
	mu      sync.Mutex
	entries []Entry
	pending []Entry
}

type Entry struct {
	Account string
	Amount  int64
}

// Begin locks the journal for a batch; Commit (commit.go) unlocks it.
func (j *Journal) Begin() {
	j.mu.Lock()
	j.pending = j.pending[:0]
}

// Add stages one entry of the current batch.
func (j *Journal) Add(e Entry) {
	j.pending = append(j.pending, e)
}
