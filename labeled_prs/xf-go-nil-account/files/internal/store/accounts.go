package store

import (
	"database/sql"
	"errors"
)

type Account struct {
	ID      string
	Owner   string
	Balance int64
}

// FindAccount loads one account; it returns nil, nil when there is none.
func FindAccount(db *sql.DB, id string) (*Account, error) {
	row := db.QueryRow("SELECT id, owner, balance FROM accounts WHERE id = $1", id)
	var a Account
	if err := row.Scan(&a.ID, &a.Owner, &a.Balance); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return &a, nil
}
