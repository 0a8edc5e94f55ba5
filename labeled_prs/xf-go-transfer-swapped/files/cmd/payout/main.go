package main

import (
	"log"

	"example.com/ledger/internal/ledger"
)

func payout(b ledger.Books, merchant string, cents int64) {
	if err := ledger.Transfer(b, "platform-float", merchant, cents); err != nil {
		log.Printf("payout to %s failed: %v", merchant, err)
	}
}

func main() {}
