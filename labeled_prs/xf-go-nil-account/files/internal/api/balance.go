package api

import (
	"database/sql"
	"encoding/json"
	"net/http"

	"example.com/ledger/internal/store"
)

// BalanceHandler answers GET /accounts/{id}/balance.
func BalanceHandler(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		acct, err := store.FindAccount(db, r.PathValue("id"))
		if err != nil {
			http.Error(w, "lookup failed", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]int64{"balance": acct.Balance})
	}
}
