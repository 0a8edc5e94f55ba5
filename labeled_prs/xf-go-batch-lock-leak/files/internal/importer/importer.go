package importer

import (
	"errors"

	"example.com/ledger/internal/journal"
)

// ErrEmptyBatch is returned for a batch without entries.
var ErrEmptyBatch = errors.New("empty batch")

// Import writes one batch of entries into the journal.
func Import(j *journal.Journal, batch []journal.Entry) error {
	j.Begin()
	if len(batch) == 0 {
		return ErrEmptyBatch
	}
	for _, e := range batch {
		j.Add(e)
	}
	j.Commit()
	return nil
}
