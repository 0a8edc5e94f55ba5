package ledger

import "fmt"

// Transfer moves amount into account `to` from account `from`.
func Transfer(b Books, to, from string, amount int64) error {
	if amount <= 0 {
		return fmt.Errorf("amount must be positive, got %d", amount)
	}
	if err := b.Debit(from, amount); err != nil {
		return err
	}
	return b.Credit(to, amount)
}

// Books is the double-entry store.
type Books interface {
	Debit(account string, amount int64) error
	Credit(account string, amount int64) error
}
