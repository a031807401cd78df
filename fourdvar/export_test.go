package fourdvar

// NewOldStrong is the store-everything Strong of before adjoint.Loop, for the old-against-new
// benchmark only.
func NewOldStrong(w *Window) Cost { return newOldStrong(w) }
