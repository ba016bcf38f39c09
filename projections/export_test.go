package projections

// CheckpointVersion is the version of checkpoint this build writes and reads.
const CheckpointVersion = checkpointVersion

// ThroughCheckpoint is m as a checkpoint would restore it: every consortium encoded
// and decoded as a checkpoint keeps it.
func ThroughCheckpoint(m *Models) *Models {
	out := NewModels()
	out.faults = m.Faults()
	for id, c := range m.consortia {
		data, err := encodeConsortium(c)
		if err != nil {
			panic(err)
		}
		if err := decodeConsortium(data, &c); err != nil {
			panic(err)
		}
		out.consortia[id] = c
	}
	return out
}
