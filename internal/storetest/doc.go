// Package storetest makes stores and their entries for the tests of the
// packages above store (store's own tests cannot import it). Only tests
// import it.
package storetest
