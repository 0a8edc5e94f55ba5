package api

import (
	"database/sql"
	"net/http"

	"example.com/ledger/internal/store"
)

// IDAvailable answers whether an account id is still free.
func IDAvailable(db *sql.DB, id string) (bool, error) {
	acct, err := store.FindAccount(db, id)
	if err != nil {
		return false, err
	}
	return acct == nil, nil
}

var _ = http.StatusOK
