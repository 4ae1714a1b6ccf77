import { describe, expect, it } from 'vitest';
import type { PropMeta } from '../api/types';
import { fieldModel } from './prop-form';
import { setVariantField, switchVariant, variantField, variantOf, type Variant } from './variants';

const text = (name: string, secret = false): PropMeta => ({ name, label: name, kind: 'short_text', required: true, secret });
const variants: Variant[] = [
  { value: 'none', label: 'None', fields: [] },
  { value: 'header', label: 'A secret in a header', fields: [text('name'), text('value', true)] },
  { value: 'hmac', label: 'HMAC', fields: [text('header'), text('secret', true)] },
];

describe('props with variants', () => {
  it('is drawn as a form, not a JSON box', () => {
    const prop: PropMeta = { name: 'auth', label: 'Authentication', kind: 'json', required: false, variants };
    expect(fieldModel(prop, undefined).control).toBe('variants');
    expect(fieldModel({ ...prop, variants: [] }, undefined).control).toBe('json');
  });

  it('finds the shape of a value, the default when absent, and none for what it cannot show', () => {
    expect(variantOf(undefined, { type: 'none' }, variants)?.value).toBe('none');
    expect(variantOf({ type: 'header', name: 'x' }, undefined, variants)?.value).toBe('header');
    expect(variantOf(undefined, undefined, variants)?.value).toBe('none');
    expect(variantOf({ type: 'oauth' }, undefined, variants)).toBeNull();
    expect(variantOf('{{ vars.auth }}', undefined, variants)).toBeNull();
  });

  it('switching keeps the fields both shapes have and sets the type', () => {
    expect(switchVariant({ type: 'header', name: 'x-key', value: 's3cret' }, variants[2]!)).toEqual({ type: 'hmac' });
    const back = switchVariant({ type: 'header', name: 'x-key', value: 's3cret' }, variants[1]!);
    expect(back).toEqual({ type: 'header', name: 'x-key', value: 's3cret' });
    expect(switchVariant(undefined, variants[0]!)).toEqual({ type: 'none' });
  });

  it('sets and clears one field', () => {
    const v = setVariantField(undefined, variants[1]!, 'name', 'x-api-key');
    expect(v).toEqual({ type: 'header', name: 'x-api-key' });
    expect(setVariantField(v, variants[1]!, 'name', undefined)).toEqual({ type: 'header' });
    expect(variantField(v, 'name')).toBe('x-api-key');
    expect(variantField('text', 'name')).toBeUndefined();
  });
});
