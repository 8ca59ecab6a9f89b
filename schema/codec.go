package schema

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Limits on anything decoded from the wire. They bound the memory and time a
// hostile or broken peer can make the other side spend before validation
// even starts.
const (
	MaxFrameBytes     = 4 << 20 // one websocket message
	MaxBatchChanges   = 1000    // changes in one upload or download batch
	MaxNesting        = 16      // CBOR nesting depth
	MaxArrayElements  = 4096    // elements in one CBOR array
	MaxMapPairs       = 512     // pairs in one CBOR map
	MaxFieldValueSize = 64 << 10
	// BatchBudget bounds the estimated bytes (ChangeSize) of the changes
	// one upload or download frame carries: half of MaxFrameBytes, so the
	// estimate may be off by a lot and the frame still fits.
	BatchBudget = MaxFrameBytes / 2
)

// ChangeSize estimates the bytes ch takes encoded: its identifying strings
// and field names and values, plus a fixed allowance for the rest. The
// client cuts upload batches with it and the server download frames and
// group commits, so both sides size a change alike. It is an estimate,
// not the encoded length (encoding every change to measure it would cost
// more than the batch): keep a margin, as BatchBudget does.
func ChangeSize(ch *Change) int {
	n := 64 + len(ch.ID) + len(ch.Unit) + len(ch.Device)
	for k, v := range ch.Set {
		n += len(k) + len(v) + 4
	}
	return n
}

// The limits on data a store wrote itself, looser than the wire's.
const (
	storedMaxArray = 1 << 20
	storedMaxPairs = 1 << 16
)

var (
	encMode  cbor.EncMode
	wireDec  cbor.DecMode
	storeDec cbor.DecMode
)

func init() {
	var err error
	// Core Deterministic Encoding: the same value always gives the same
	// bytes, so field values can be compared and hashed as bytes.
	// Empty and nil lists mean the same to a form; encoding both as []
	// keeps Diff and merge from seeing a change where there is none.
	encOpts := cbor.CoreDetEncOptions()
	encOpts.NilContainers = cbor.NilContainerAsEmpty
	encMode, err = encOpts.EncMode()
	if err != nil {
		panic(err)
	}
	wireOpts := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:   MaxNesting,
		MaxArrayElements:  MaxArrayElements,
		MaxMapPairs:       MaxMapPairs,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		IntDec:            cbor.IntDecConvertSigned,
		DefaultMapType:    nil,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}
	wireDec, err = wireOpts.DecMode()
	if err != nil {
		panic(err)
	}
	// What a store wrote itself is trusted more, but a record with many
	// fields must still decode; keep the shape checks, relax the sizes.
	storeOpts := wireOpts
	storeOpts.MaxArrayElements = storedMaxArray
	storeOpts.MaxMapPairs = storedMaxPairs
	storeOpts.ExtraReturnErrors = cbor.ExtraDecErrorNone
	storeDec, err = storeOpts.DecMode()
	if err != nil {
		panic(err)
	}
}

// Marshal encodes v with Core Deterministic Encoding.
func Marshal(v any) ([]byte, error) {
	if b, ok := fastMarshal(v); ok {
		return b, nil
	}
	return encMode.Marshal(v)
}

// MustMarshal is Marshal for values that cannot fail to encode (plain
// structs of strings and numbers); it panics otherwise.
func MustMarshal(v any) []byte {
	b, err := Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cbor marshal %T: %v", v, err))
	}
	return b
}

// UnmarshalWire decodes data that came off the network, enforcing the
// frame size, nesting, array and map limits, and rejecting duplicate map
// keys, indefinite lengths, tags and unknown fields.
func UnmarshalWire(data []byte, v any) error {
	if len(data) > MaxFrameBytes {
		return fmt.Errorf("cbor: %d bytes exceeds the frame limit of %d", len(data), MaxFrameBytes)
	}
	return wireDec.Unmarshal(data, v)
}

// UnmarshalStored decodes data a store wrote itself.
func UnmarshalStored(data []byte, v any) error {
	if fastUnmarshalStored(data, v) {
		return nil
	}
	return storeDec.Unmarshal(data, v)
}

// marshalFields is Marshal(f) without reflection (appendFields). Unlike
// Marshal it does not check that the values are well-formed; a decode of
// the result does.
func marshalFields(f Fields) []byte {
	size := 1
	for k, v := range f {
		size += len(k) + len(v) + 9
	}
	return appendFields(make([]byte, 0, size), f)
}
